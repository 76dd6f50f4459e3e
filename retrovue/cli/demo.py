"""`retrovue demo`: a sample library, ingested and promoted through the real commands, on air."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import typer

from retrovue.cli import render
from retrovue.domain.sample_media import demo_plan, generate
from retrovue.errors import RetroVueError
from retrovue.infra.bootstrap import open_station
from retrovue.places import data_dir

CHANNELS: Final = (
    (2, "Retro Two", "Classics"),
    (3, "Movie Three", "Movies"),
    (4, "Kids Four", "Kids"),
)
SOURCES: Final = (
    ("demo-shows", "shows", "program", ""),
    ("demo-movies", "movies", "program", "movie"),
    ("demo-commercials", "commercials", "commercial", "commercial"),
    ("demo-bumpers-in", "bumpers/into-break", "bumper", "bumper,bumper-in"),
    ("demo-bumpers-out", "bumpers/out-of-break", "bumper", "bumper,bumper-out"),
)  # fmt: skip


def _block(number: int, **rule: Any) -> dict[str, Any]:
    """A block rule with the channel's breaks: spots and its own ident, between bumpers
    ("we'll be right back" opens a break, "and now back to" closes it)."""
    base = {
        "filler_tags": ["commercial", f"ident-{number}"],
        "bumper_in_tags": ["bumper-in"],
        "bumper_out_tags": ["bumper-out"],
    }
    return {"breaks": "chapters", "pad": "slate", **base, **rule}


TEMPLATES: Final = {
    "retro-two-day": (
        2,
        "Retro Two: kids in the morning, sitcoms all day, the flagship show in prime time",
        [
            ("06:00", "09:00", _block(2, tags=["kids"], order="sequential")),
            ("09:00", "18:00", _block(2, tags=["sitcom"], order="shuffle")),
            ("18:00", "22:00", _block(2, series=["Test Card Tonight"], order="sequential")),
            ("22:00", "06:00", _block(2, tags=["sitcom"], order="random")),
        ],
    ),
    "movie-three-day": (
        3,
        "Movie Three: sitcom reruns by day, the feature presentation at night",
        [
            ("06:00", "20:00", _block(3, tags=["sitcom"], order="least_recently_used")),
            ("20:00", "06:00", _block(3, tags=["movie"], order="sequential", break_count=4)),
        ],
    ),
    "kids-four-day": (
        4,
        "Kids Four: cartoons until the evening, family sitcoms rated TV-G overnight",
        [
            ("06:00", "18:00", _block(4, tags=["kids"], order="shuffle")),
            ("18:00", "06:00", _block(4, tags=["sitcom"], max_rating="TV-G")),
        ],
    ),
}


GUIDE_NUMBER: Final = 1  # the demo's guide channel: what is on the three others


def default_root() -> Path:
    """$RETROVUE_DATA_DIR/demo, else $XDG_DATA_HOME/retrovue/demo (station.md section 2)."""
    return data_dir() / "demo"


def _local_timezone() -> str:
    """The machine's IANA zone name when it can be read, else UTC."""
    target = Path("/etc/localtime")
    with contextlib.suppress(OSError):
        resolved = str(target.resolve())
        if "zoneinfo/" in resolved:
            return resolved.split("zoneinfo/", 1)[1]
    return "UTC"


class Operator:
    """Runs `retrovue ...` commands in-process, as an operator would type them."""

    def __init__(self, db: str | None, say: Callable[[str], None]) -> None:
        self.prefix = ["--db", db] if db else []
        self.say = say

    def run(self, *args: str) -> str:
        from retrovue.cli.app import main  # the app registers this module: import at call time

        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            code = main([*self.prefix, *args])
        if code != 0:
            raise RetroVueError(f"demo step failed: retrovue {' '.join(args)}")
        self.say(shlex.join(["retrovue", *args]))
        return captured.getvalue()


def build_demo(root: Path, db: str | None, say: Callable[[str], None]) -> None:
    """Make the library, ingest and promote it, lay out channels; safe to run again."""
    tz = _local_timezone()
    library = generate(
        root,
        demo_plan([(n, name) for n, name, _ in CHANNELS]),
        [(GUIDE_NUMBER, "Guide"), *((n, name) for n, name, _ in CHANNELS)],
        progress=lambda path: say(f"making {path}"),
    )
    say(f"sample library in {root}: {library.made} made, {library.kept} already there")
    station = open_station(db)
    try:
        sources = {s["name"] for s in station.library.list_sources()}
        templates = {t["name"] for t in station.templates.list_templates()}
        channels = {c["number"] for c in station.channels.list_channels()}
    finally:
        station.close()
    op = Operator(db, say)
    wanted = [*SOURCES, *((f"demo-ids-{n}", f"station_ids/channel-{n}", "station_id", f"ident-{n}")
                          for n, _, _ in CHANNELS)]  # fmt: skip
    for name, folder, kind, tags in wanted:
        if name not in sources:
            extra = ["--tags", tags] if tags else []
            op.run("source", "add", "--type", "filesystem", "--name", name,
                   "--path", str(root / folder), "--kind", kind, *extra)  # fmt: skip
        op.run("source", "sync", name, "--quiet")
        op.run("assets", "promote", "--source", name)
    for name, (_, description, blocks) in TEMPLATES.items():
        if name in templates:
            continue
        op.run("template", "add", "--name", name, "--description", description)
        for start, end, rule in blocks:
            op.run("template", "block", "add", "--template", name, "--start", start,
                   "--end", end, "--rule", json.dumps(rule))  # fmt: skip
    for number, channel_name, group in CHANNELS:
        template = next(t for t, (n, _, _) in TEMPLATES.items() if n == number)
        if number not in channels:
            op.run("channel", "add", "--number", str(number), "--name", channel_name,
                   "--timezone", tz, "--group", group, "--default-template", template,
                   "--logo", str(root / "logos" / f"channel-{number}.png"))  # fmt: skip
        # The CLI is an edge: it may read the wall clock. Yesterday covers the hours before
        # the 06:00 rollover, which still belong to yesterday's broadcast day.
        today = dt.date.today()
        first, last = today - dt.timedelta(days=1), today + dt.timedelta(days=7)
        op.run("schedule", "assign", "--channel", str(number), "--template", template,
               "--from", first.isoformat(), "--until", last.isoformat())  # fmt: skip
    if GUIDE_NUMBER not in channels:
        op.run("channel", "add", "--number", str(GUIDE_NUMBER), "--name", "Guide",
               "--type", "guide", "--timezone", tz, "--group", "Guide",
               "--logo", str(root / "logos" / f"channel-{GUIDE_NUMBER}.png"))  # fmt: skip


def demo(
    ctx: typer.Context,
    directory: Path | None = typer.Option(None, "--dir", help="Where the sample media goes."),
    quiet: bool = typer.Option(False, "--quiet", help="Print only the summary."),
) -> None:
    """Make a sample library, three channels for the week ahead and a guide (idempotent)."""
    root = (directory or default_root()).expanduser().resolve()
    db = ctx.obj.get("db") if ctx.obj else None

    def say(line: str) -> None:
        if not quiet:
            render.out.print(f"  {line}", markup=False)

    build_demo(root, db, say)
    render.done("demo station ready: run `retrovue-station plan`, then `retrovue-station`")
