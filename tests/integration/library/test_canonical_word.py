"""Only an operator's word puts an asset on air: random operator and library histories.

A Hypothesis state machine drives the real CLI (`main(argv)`) and the real ScheduleOrchestrator
on a real SQLite station whose library folder holds real clips, through promotions by id and
by source (with --canonical, --no-canonical or neither), withdrawals, approvals, retitles,
reviews, files that vanish, return and change, and re-syncs. After every step it checks the
catalog against what the operator last said and what the library last saw, and that no guide
entry planned to start after now names an asset that may not air.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from tiny_media import make_clip

from retrovue.cli.app import main
from retrovue.fingerprint import fingerprint
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.models import CatalogAsset, PlaylogEvent
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator

FILES = 2
START = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
FLAGS = st.sampled_from([None, "--canonical", "--no-canonical"])
INDEX = st.integers(0, FILES - 1)
CLIP = st.integers(0, 3)
# The library's events twice over: most histories worth trying mix several of them.
ACTIONS = (
    *("promote_by_id", "promote_by_source", "catalog_update", "review"),
    *("a_file", "a_file", "resync"),
)
# Station time between two steps: enough to air a few slots of the 15-minute grid.
STEP = dt.timedelta(minutes=40)


@dataclass(frozen=True)
class World:
    """Made once per module: the clips files are copied from, and a migrated empty database."""

    root: Path
    clips: tuple[Path, ...]
    empty_db: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("canonical")
    clips = tuple(
        make_clip(root / "clips" / f"clip{i}.mkv", 1.0 + 0.5 * i, colour=c, tone=300 + 100 * i)
        for i, c in enumerate(("red", "green", "blue", "white"))
    )
    empty_db = root / "empty.db"
    open_database(f"sqlite:///{empty_db}").dispose()
    return World(root, clips, empty_db)


@dataclass
class File:
    """What the model knows of one library file."""

    path: Path
    item_id: int
    version: int  # a new number for every write: what a fingerprint tells apart
    on_disk: bool = True
    synced_version: int = 0  # what the library read at its last sync
    seen_gone: bool = False  # the last sync found the file missing
    gone_since_approval: bool = False  # a sync found it missing after its last approval
    asset_id: int | None = None
    word: bool | None = None  # the operator's last word on the row's canonical status
    approved_version: int | None = None  # the file as it was when last approved
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    canonical: bool
    available: bool
    fingerprint: str | None


class CanonicalWord(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.world.root))
        shutil.copyfile(self.world.empty_db, self.dir / "station.db")
        self.url = f"sqlite:///{self.dir / 'station.db'}"
        self.stash = self.dir / "stash"
        self.stash.mkdir()
        folder = self.dir / "tv"
        self.writes = 0
        paths = [self._write(folder / f"Show - S01E0{i + 1}.mkv", i) for i in range(FILES)]
        self.cli("source", "add", "--type", "filesystem", "--name", "TV", "--path", str(folder),
                 "--tags", "show")  # fmt: skip
        self.cli("source", "sync", "TV", "--quiet")
        self.cli("template", "add", "--name", "All")
        self.cli("template", "block", "add", "--template", "All", "--start", "06:00", "--end",
                 "06:00", "--rule", '{"tags": ["show"], "breaks": "none"}')  # fmt: skip
        self.cli("channel", "add", "--number", "2", "--name", "Two", "--grid-size", "15",
                 "--default-template", "All")  # fmt: skip
        ids = {Path(i["path"]).name: i["id"] for i in self.cli_json("assets", "list")}
        self.files = [File(p, ids[p.name], i, synced_version=i) for i, p in enumerate(paths)]
        self.db: Database = open_database(self.url)
        self.orchestrator = ScheduleOrchestrator(self.db, horizon_hours=3)
        self.now = START

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- driving the CLI ------------------------------------------------------------------

    def run(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", self.url, *args])
        return code, out.getvalue(), err.getvalue()

    def cli(self, *args: str) -> str:
        code, out, err = self.run(*args)
        assert code == 0, (args, err)
        return out

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json"))

    def attempt(self, *args: str) -> Any | None:
        """A command an operator may be refused: one line, exit 1, or its JSON."""
        code, out, err = self.run(*args, "--json")
        if code == 0:
            return json.loads(out)
        assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, (args, err)
        return None

    def _write(self, path: Path, clip: int) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.world.clips[clip % len(self.world.clips)], path)
        self.writes += 1
        return path

    # --- operator rules -------------------------------------------------------------------

    def _promoted(self, view: dict[str, Any], flag: str | None) -> None:
        file = next(f for f in self.files if f.item_id == view["source_ingest_asset_id"])
        new = file.asset_id is None
        file.asset_id = view["id"]
        if flag is not None:
            file.word = flag == "--canonical"
        elif new:
            file.word = True
        if flag == "--canonical" or (new and flag is None):
            file.gone_since_approval = False
        # A promotion takes the fingerprint of the file as the library read it, never of a
        # file changed since.
        assert file.on_disk and file.version == file.synced_version, file.history
        file.approved_version = file.version
        if flag is not None or new:
            assert view["canonical"] is file.word
        file.history.append(f"promoted {flag}")

    @initialize(flag=FLAGS)
    def the_operator_promotes_the_library(self, flag: str | None) -> None:
        self._promote_source(flag, approved=False)

    @rule(action=st.sampled_from(ACTIONS), data=st.data())
    def step(self, action: str, data: st.DataObject) -> None:
        """One operator or library step; drawn here rather than as one rule each, so that every
        example mixes them (swarm testing would leave most runs with one kind of step)."""
        getattr(self, action)(data)

    def promote_by_id(self, data: st.DataObject) -> None:
        file, flag = self.files[data.draw(INDEX)], data.draw(FLAGS)
        views = self.attempt("assets", "promote", str(file.item_id), *([flag] if flag else []))
        for view in views or []:
            self._promoted(view, flag)

    def promote_by_source(self, data: st.DataObject) -> None:
        self._promote_source(data.draw(FLAGS), data.draw(st.booleans()))

    def _promote_source(self, flag: str | None, approved: bool) -> None:
        args = ["assets", "promote", "--source", "TV", *(["--approved"] if approved else [])]
        for view in self.attempt(*args, *([flag] if flag else [])) or []:
            self._promoted(view, flag)

    def catalog_update(self, data: st.DataObject) -> None:
        """Approve, withdraw, or retitle (which says nothing about canonical status)."""
        file = self.files[data.draw(INDEX)]
        change = data.draw(st.sampled_from(["--canonical", "--no-canonical", "--title"]))
        if file.asset_id is None:
            return
        args = [change, "Retitled"] if change == "--title" else [change]
        view = self.attempt("catalog", "update", str(file.asset_id), *args)
        file.history.append(f"catalog update {change}")
        if change == "--title":
            assert view is not None
            return
        if view is None:
            assert change == "--canonical", "a withdrawal is never refused"
            return
        file.word = change == "--canonical"
        if file.word:
            assert file.on_disk and file.version == file.synced_version, file.history
            file.approved_version = file.version
            file.gone_since_approval = False
        assert view["canonical"] is file.word

    def review(self, data: st.DataObject) -> None:
        file, approve = self.files[data.draw(INDEX)], data.draw(st.booleans())
        self.attempt("assets", "review", str(file.item_id), "--approve" if approve else "--reject")
        file.history.append(f"review {approve}")

    def a_file(self, data: st.DataObject) -> None:
        """A file vanishes, returns or changes; half the time the library syncs at once."""
        file = self.files[data.draw(INDEX)]
        event = data.draw(st.sampled_from(("vanishes", "changes"))) if file.on_disk else "returns"
        self._file_event(file, event, data.draw(CLIP))
        if data.draw(st.booleans()):
            self.resync(data)

    def _file_event(self, file: File, event: str, clip: int) -> None:
        if event == "vanishes":
            os.replace(file.path, self.stash / file.path.name)
            file.on_disk = False
        elif event == "returns":
            # A rename keeps size and mtime: the very file that left comes back.
            os.replace(self.stash / file.path.name, file.path)
            file.on_disk = True
        else:
            self._write(file.path, clip)
            file.version = FILES + self.writes
        file.history.append(event)

    def resync(self, _data: st.DataObject) -> None:
        report = self.cli_json("source", "sync", "TV")
        assert report["failed"] == 0
        for file in self.files:
            file.seen_gone = not file.on_disk
            file.gone_since_approval |= file.seen_gone
            if file.on_disk:
                file.synced_version = file.version
            file.history.append("synced")

    # --- what must hold after every step --------------------------------------------------

    @invariant()
    def only_the_operators_word_puts_an_asset_on_air(self) -> None:
        self.now += STEP
        self.orchestrator.run_once(self.now)
        with self.db.reading() as session:
            rows = {
                a.id: Row(a.canonical, a.available, a.fingerprint)
                for a in session.scalars(select(CatalogAsset))
            }
            future = session.scalars(
                select(PlaylogEvent.asset_id).where(
                    PlaylogEvent.program_group > int(self.now.timestamp()),
                    PlaylogEvent.asset_id.is_not(None),
                )
            ).all()
        for file in self.files:
            if file.asset_id is None:
                continue
            row = rows[file.asset_id]
            on_air = row.canonical and row.available
            if file.word is False:
                assert not row.canonical, ("withdrawn by the operator", file.history)
            if file.seen_gone:
                assert not on_air, ("its file is gone", file.history)
            if file.gone_since_approval:
                assert not row.canonical, ("back, but not approved again", file.history)
            if file.approved_version != file.synced_version:
                assert not row.canonical, ("not the file approved", file.history)
            if on_air and file.on_disk and file.version == file.synced_version:
                assert row.fingerprint == fingerprint(file.path), file.history
        for asset_id in future:
            assert rows[asset_id].canonical and rows[asset_id].available, asset_id


@pytest.mark.slow
def test_no_history_of_operator_and_library_steps_puts_a_withdrawn_or_gone_asset_on_air(
    world: World,
) -> None:
    CanonicalWord.world = world
    run_state_machine_as_test(
        CanonicalWord,
        settings=settings(
            max_examples=15,
            stateful_step_count=16,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
