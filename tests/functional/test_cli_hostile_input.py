"""Every CLI command's options fed generated hostile values: each is refused in one line.

Huge and negative numbers, NaN and infinities, NUL, lone surrogates and over-long text, deep
and oversized JSON, files that are not UTF-8 or not media, dates past either end of the
calendar. Each run goes through the CLI's `main(argv)` on a real SQLite station and must exit
1 (or 2, a usage error) with exactly one line on stderr, no traceback, and every table as it
was.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_values import (
    ASSET_KINDS,
    HOSTILE_JSON,
    NOT_A_URL,
    NOT_A_ZONE,
    NOT_WEEKDAYS,
    RATINGS,
    WORDS,
    Value,
    bad_clocks,
    bad_dates,
    bad_durations,
    bad_numbers_of_hours,
    id_other_than,
    integers_where,
    not_in,
    poisoned,
    text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tiny_media import make_clip

from retrovue.cli.app import main
from retrovue.domain.models import LibraryBase
from retrovue.infra.db import create_db_engine
from retrovue.schedule_manager.models import Base as BroadcastBase


@dataclass(frozen=True)
class Station:
    url: str
    clip: Path
    folder: Path
    files: dict[str, Path]


def _run(url: str, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", url, *args])
    return code, out.getvalue(), err.getvalue()


def _dump(url: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row of every table, in key order."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            tables = [*BroadcastBase.metadata.sorted_tables, *LibraryBase.metadata.sorted_tables]
            return [
                (t.name, [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key))])
                for t in tables
            ]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    """A station with something of everything for the hostile values to aim at."""
    root = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{root / 'station.db'}"
    folder = root / "tv"
    clip = make_clip(folder / "Show - S01E01.mkv")
    files = {
        "text": root / "notes.txt",
        "latin1": root / "latin1.json",
        "deep": root / "deep.json",
        "digits": root / "digits.json",
        "nan": root / "nan.json",
        "folder": folder,
        "missing": root / "missing.mkv",
    }
    files["text"].write_text("this is not a video\n" * 100)
    files["latin1"].write_bytes(b'{"tags": ["caf\xe9"]}')
    files["deep"].write_text("[" * 100_000 + "]" * 100_000)
    files["digits"].write_text('{"break_count": ' + "7" * 5000 + "}")
    files["nan"].write_text('{"min_minutes": NaN}')
    # fmt: off
    setup = [
        ["template", "add", "--name", "Day"],
        ["template", "block", "add", "--template", "Day", "--start", "06:00", "--end", "06:00",
         "--tags", "sitcom"],
        ["template", "add", "--name", "Mornings"],
        ["template", "block", "add", "--template", "Mornings", "--start", "06:30", "--end",
         "07:30", "--tags", "news"],
        ["template", "add", "--name", "Empty"],
        ["channel", "add", "--number", "2", "--name", "Two", "--default-template", "Day"],
        ["schedule", "assign", "--channel", "2", "--template", "Mornings", "--day", "2026-12-01"],
        ["asset", "add", "--title", "Pilot", "--duration", "1", "--path", str(clip), "--tags",
         "sitcom", "--canonical"],
        ["source", "add", "--type", "filesystem", "--name", "TV", "--path", str(folder)],
        ["source", "sync", "TV", "--quiet"],
    ]
    # fmt: on
    for args in setup:
        code, _, err = _run(url, args)
        assert code == 0, (args, err)
    yield Station(url, clip, folder, files)


@dataclass(frozen=True)
class Slot:
    """One option of one command: the argv around it and the hostile values it is fed."""

    name: str
    argv: Callable[[Station, str], list[str]]
    values: Callable[[Station], Value]


def fixed(values: Value) -> Callable[[Station], Value]:
    return lambda _station: values


def option(base: list[str], flag: str) -> Callable[[Station, str], list[str]]:
    """`base` (valid on its own), then `flag=VALUE` (the last value of an option wins)."""
    return lambda _station, value: [*base, f"{flag}={value}"]


Argv = Callable[[Station, str], list[str]]


def positional(before: list[str], after: tuple[str, ...] = ()) -> Argv:
    """The value as the command's argument, after `--` so that `-5` is not taken for a flag."""
    return lambda _station, value: [*before, *after, "--", value]


def with_clip(base: list[str], flag: str) -> Callable[[Station, str], list[str]]:
    return lambda station, value: [*base, "--path", str(station.clip), f"{flag}={value}"]


def with_folder(base: list[str], flag: str) -> Callable[[Station, str], list[str]]:
    return lambda station, value: [*base, "--path", str(station.folder), f"{flag}={value}"]


def file_values(*names: str) -> Callable[[Station], Value]:
    return lambda station: st.sampled_from([str(station.files[n]) for n in names])


CHANNEL_ADD = ["channel", "add", "--number", "7", "--name", "Seven"]
CHANNEL_UPDATE = ["channel", "update", "2"]
BLOCK_ADD = ["template", "block", "add", "--template", "Empty", "--start", "07:00",
             "--end", "08:00"]  # fmt: skip
ASSET_ADD = ["asset", "add", "--title", "Spot"]
TEMPLATES = {"Day", "Mornings", "Empty"}

# fmt: off
SLOTS = [
    Slot("channel add --number", option(CHANNEL_ADD, "--number"),
         fixed(integers_where(lambda n: not 1 <= n <= 99_999))),
    Slot("channel add --name", option(CHANNEL_ADD, "--name"), fixed(text(200))),
    Slot("channel add --timezone", option(CHANNEL_ADD, "--timezone"), fixed(NOT_A_ZONE)),
    Slot("channel add --grid-size", option(CHANNEL_ADD, "--grid-size"),
         fixed(integers_where(lambda n: n not in (15, 30, 60)))),
    Slot("channel add --grid-offset", option(CHANNEL_ADD, "--grid-offset"),
         fixed(integers_where(lambda n: not 0 <= n < 30))),
    Slot("channel add --rollover", option(CHANNEL_ADD, "--rollover"), fixed(bad_clocks())),
    Slot("channel add --group", option(CHANNEL_ADD, "--group"), fixed(text(200))),
    Slot("channel add --logo", option(CHANNEL_ADD, "--logo"), fixed(text())),
    Slot("channel add --default-template", option(CHANNEL_ADD, "--default-template"),
         fixed(not_in(TEMPLATES))),
    Slot("channel add --type", option(CHANNEL_ADD, "--type"),
         fixed(text().filter(lambda t: t not in ("linear", "guide")))),
    Slot("channel update --number", option(CHANNEL_UPDATE, "--number"),
         fixed(integers_where(lambda n: not 1 <= n <= 99_999))),
    Slot("channel update --name", option(CHANNEL_UPDATE, "--name"), fixed(text(200))),
    Slot("channel update --timezone", option(CHANNEL_UPDATE, "--timezone"), fixed(NOT_A_ZONE)),
    Slot("channel update --grid-size", option(CHANNEL_UPDATE, "--grid-size"),
         fixed(integers_where(lambda n: n not in (15, 30)))),
    Slot("channel update --grid-offset", option(CHANNEL_UPDATE, "--grid-offset"),
         fixed(integers_where(lambda n: n != 0))),
    Slot("channel update --rollover", option(CHANNEL_UPDATE, "--rollover"),
         fixed(st.one_of(bad_clocks(), st.sampled_from(["07:00", "06:45", "06:15"])))),
    Slot("channel update --group", option(CHANNEL_UPDATE, "--group"), fixed(text(200))),
    Slot("channel update --logo", option(CHANNEL_UPDATE, "--logo"), fixed(text())),
    Slot("channel update --default-template", option(CHANNEL_UPDATE, "--default-template"),
         fixed(not_in(TEMPLATES | {""}))),
    Slot("channel update NUMBER", positional(["channel", "update"], ("--name", "X",)),
         fixed(id_other_than(2))),
    Slot("channel show NUMBER", positional(["channel", "show"]), fixed(id_other_than(2))),
    Slot("channel remove NUMBER", positional(["channel", "remove"]), fixed(id_other_than(2))),
    Slot("template add --name", option(["template", "add"], "--name"),
         fixed(st.one_of(text(200), st.sampled_from(sorted(TEMPLATES)), st.just("   ")))),
    Slot("template add --description", option(["template", "add", "--name", "New"],
         "--description"), fixed(text())),
    Slot("template show NAME", positional(["template", "show"]), fixed(not_in(TEMPLATES))),
    Slot("template remove NAME", positional(["template", "remove"]),
         fixed(not_in(TEMPLATES))),
    Slot("template block add --rule", option(BLOCK_ADD, "--rule"), fixed(HOSTILE_JSON)),
    Slot("template block add --rule-file", option(BLOCK_ADD, "--rule-file"),
         file_values("latin1", "deep", "digits", "nan", "text", "folder", "missing")),
    Slot("template block add --order", option([*BLOCK_ADD, "--tags", "x"], "--order"),
         fixed(not_in({"sequential", "random", "shuffle", "least_recently_used"}))),
    Slot("template block add --start", option([*BLOCK_ADD, "--tags", "x"], "--start"),
         fixed(bad_clocks())),
    Slot("template block add --end", option([*BLOCK_ADD, "--tags", "x"], "--end"),
         fixed(bad_clocks())),
    Slot("template block add --template",
         option(["template", "block", "add", "--start", "07:00", "--end", "08:00", "--tags",
                 "x"], "--template"), fixed(not_in(TEMPLATES))),
    Slot("template block list TEMPLATE", positional(["template", "block", "list"]),
         fixed(not_in(TEMPLATES))),
    Slot("template block remove --start", option(["template", "block", "remove",
         "--template", "Empty"], "--start"), fixed(st.one_of(bad_clocks(), st.just("07:00")))),
    Slot("schedule assign --day", option(["schedule", "assign", "--channel", "2",
         "--template", "Mornings"], "--day"), fixed(bad_dates())),
    Slot("schedule assign --from", option(["schedule", "assign", "--channel", "2",
         "--template", "Mornings", "--until", "2026-12-31"], "--from"), fixed(bad_dates())),
    Slot("schedule assign --until", option(["schedule", "assign", "--channel", "2",
         "--template", "Mornings", "--from", "2026-12-01"], "--until"),
         fixed(st.one_of(bad_dates(), st.just("2026-11-30"), st.just("2040-01-01")))),
    Slot("schedule assign --weekdays", option(["schedule", "assign", "--channel", "2",
         "--template", "Mornings", "--from", "2026-12-01", "--until", "2026-12-31"],
         "--weekdays"), fixed(NOT_WEEKDAYS)),
    Slot("schedule assign --channel", option(["schedule", "assign", "--template", "Mornings",
         "--day", "2026-12-02"], "--channel"), fixed(id_other_than(2))),
    Slot("schedule assign --template", option(["schedule", "assign", "--channel", "2",
         "--day", "2026-12-02"], "--template"), fixed(not_in(TEMPLATES))),
    Slot("schedule assignments --channel", option(["schedule", "assignments"], "--channel"),
         fixed(id_other_than(2))),
    Slot("schedule show --day", option(["schedule", "show", "--channel", "2"], "--day"),
         fixed(bad_dates())),
    Slot("schedule show --channel", option(["schedule", "show"], "--channel"),
         fixed(id_other_than(2))),
    Slot("schedule preview --day", option(["schedule", "preview", "--channel", "2"], "--day"),
         fixed(bad_dates())),
    Slot("schedule preview --channel", option(["schedule", "preview", "--day", "2026-12-01"],
         "--channel"), fixed(id_other_than(2))),
    Slot("asset add --title", with_clip(ASSET_ADD, "--title"),
         fixed(st.one_of(text(500), st.just("  ")))),
    Slot("asset add --duration", with_clip(ASSET_ADD, "--duration"), fixed(bad_durations())),
    Slot("asset add --path", option(ASSET_ADD, "--path"),
         file_values("text", "latin1", "folder", "missing")),
    Slot("asset add --kind", with_clip(ASSET_ADD, "--kind"), fixed(not_in(ASSET_KINDS))),
    Slot("asset add --series", with_clip(ASSET_ADD, "--series"), fixed(text(500))),
    Slot("asset add --season", with_clip(ASSET_ADD, "--season"),
         fixed(integers_where(lambda n: not 0 <= n < 2**31))),
    Slot("asset add --episode", with_clip(ASSET_ADD, "--episode"),
         fixed(integers_where(lambda n: not 0 <= n < 2**31))),
    Slot("asset add --rating", with_clip(ASSET_ADD, "--rating"), fixed(RATINGS)),
    Slot("asset add --description", with_clip(ASSET_ADD, "--description"), fixed(text())),
    Slot("asset add --tags", with_clip(ASSET_ADD, "--tags"), fixed(poisoned(WORDS))),
    Slot("asset update --title", option(["asset", "update", "1"], "--title"),
         fixed(st.one_of(text(500), st.just(" ")))),
    Slot("asset update --duration", option(["asset", "update", "1"], "--duration"),
         fixed(bad_durations())),
    Slot("asset update --path", option(["asset", "update", "1"], "--path"),
         file_values("text", "latin1", "folder", "missing")),
    Slot("asset update --kind", option(["asset", "update", "1"], "--kind"),
         fixed(not_in(ASSET_KINDS))),
    Slot("asset update ID", positional(["asset", "update"], ("--title", "X",)),
         fixed(id_other_than(1))),
    Slot("asset list --tag", option(["asset", "list"], "--tag"), fixed(poisoned(WORDS))),
    Slot("catalog list --tag", option(["catalog", "list"], "--tag"), fixed(poisoned(WORDS))),
    Slot("catalog show ID", positional(["catalog", "show"]), fixed(id_other_than(1))),
    Slot("catalog update ID", positional(["catalog", "update"], ("--no-canonical",)),
         fixed(id_other_than(1))),
    Slot("catalog update --title", option(["catalog", "update", "1"], "--title"),
         fixed(st.one_of(text(500), st.just("")))),
    Slot("catalog update --tags", option(["catalog", "update", "1"], "--tags"),
         fixed(poisoned(WORDS))),
    Slot("epg export --hours", option(["epg", "export"], "--hours"),
         fixed(bad_numbers_of_hours())),
    Slot("epg export --output", option(["epg", "export"], "--output"),
         lambda s: st.sampled_from([str(s.files["missing"] / "guide.xml"), str(s.folder)])),
    Slot("source add --name", with_folder(["source", "add", "--type", "filesystem"], "--name"),
         fixed(st.one_of(text(200), st.just("TV"), st.just(" ")))),
    Slot("source add --path", option(["source", "add", "--type", "filesystem", "--name", "N"],
         "--path"), file_values("missing", "text")),
    Slot("source add --type", with_folder(["source", "add", "--name", "N"], "--type"),
         fixed(not_in({"filesystem", "plex"}))),
    Slot("source add --kind", with_folder(["source", "add", "--type", "filesystem", "--name",
         "N"], "--kind"), fixed(not_in(ASSET_KINDS))),
    Slot("source add --url", option(["source", "add", "--type", "plex", "--name", "P",
         "--token", "t"], "--url"), fixed(NOT_A_URL)),
    Slot("source add --token", option(["source", "add", "--type", "plex", "--name", "P",
         "--url", "http://plex:32400"], "--token"), fixed(st.one_of(poisoned(WORDS),
         st.just("")))),
    Slot("source add --library", option(["source", "add", "--type", "plex", "--name", "P",
         "--url", "http://plex:32400", "--token", "t"], "--library"),
         fixed(poisoned(WORDS))),
    Slot("source show NAME", positional(["source", "show"]), fixed(not_in({"TV"}))),
    Slot("source remove NAME", positional(["source", "remove"]), fixed(not_in({"TV"}))),
    Slot("source sync NAME", positional(["source", "sync"], ("--quiet",)),
         fixed(not_in({"TV"}))),
    Slot("source map-path NAME", positional(["source", "map-path"], ("--from", "/a", "--to",
         "/b",)), fixed(not_in({"TV"}))),
    Slot("source map-path --from", option(["source", "map-path", "TV", "--to", "/b"],
         "--from"), fixed(st.one_of(poisoned(WORDS), st.just(" ")))),
    Slot("assets list --status", option(["assets", "list"], "--status"),
         fixed(not_in({"discovered", "needs_review", "approved", "rejected", "promoted"}))),
    Slot("assets list --source", option(["assets", "list"], "--source"),
         fixed(not_in({"TV"}))),
    Slot("assets show ID", positional(["assets", "show"]), fixed(id_other_than(1))),
    Slot("assets review ID", positional(["assets", "review"], ("--approve",)),
         fixed(id_other_than(1))),
    Slot("assets review --notes", option(["assets", "review", "1", "--approve"], "--notes"),
         fixed(poisoned(WORDS))),
    Slot("assets promote ID", positional(["assets", "promote"]), fixed(id_other_than(1))),
    Slot("assets promote --source", option(["assets", "promote"], "--source"),
         fixed(not_in({"TV"}))),
    Slot("assets promote --title", option(["assets", "promote", "1"], "--title"),
         fixed(st.one_of(text(500), st.just(" ")))),
    Slot("assets promote --kind", option(["assets", "promote", "1"], "--kind"),
         fixed(not_in(ASSET_KINDS))),
    Slot("assets promote --tags", option(["assets", "promote", "1"], "--tags"),
         fixed(poisoned(WORDS))),
    Slot("db upgrade EXTRA", positional(["db", "upgrade"]), fixed(WORDS.filter(bool))),
    Slot("channel list EXTRA", positional(["channel", "list"]), fixed(WORDS.filter(bool))),
    Slot("template list EXTRA", positional(["template", "list"]), fixed(WORDS.filter(bool))),
    Slot("source list EXTRA", positional(["source", "list"]), fixed(WORDS.filter(bool))),
    Slot("--db", option(["channel", "list"], "--db"), fixed(st.sampled_from([
         "not a url", "mysql://h/db", "postgresql+psycopg://nobody@127.0.0.1:1/none",
         "sqlite:////proc/retrovue/station.db"]))),
]
# fmt: on


def test_every_command_of_the_cli_has_a_hostile_slot() -> None:
    """A command added later without hostile values fails here, not silently."""
    from retrovue.cli.app import _command

    def leaves(group: Any, path: str) -> Iterator[str]:
        for name, sub in group.commands.items():
            if hasattr(sub, "commands"):
                yield from leaves(sub, f"{path}{name} ")
            else:
                yield f"{path}{name}"

    covered = {" ".join(w for w in s.name.split() if w.islower() and "-" not in w[:1])
               for s in SLOTS}  # fmt: skip
    # `demo` builds media and `console` runs a server; the console's refusals of bad input
    # are tested in tests/functional/console/test_console_guards.py.
    assert set(leaves(_command(), "")) - covered == {"demo", "console"}


@pytest.mark.slow
@pytest.mark.parametrize("slot", SLOTS, ids=[s.name for s in SLOTS])
def test_a_hostile_value_is_refused_in_one_line_and_changes_nothing(
    station: Station, slot: Slot
) -> None:
    before = _dump(station.url)

    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(value=slot.values(station))
    def refused(value: str) -> None:
        args = slot.argv(station, value)
        code, _out, err = _run(station.url, args)
        assert code in (1, 2), (args, code, err)
        assert err.endswith("\n") and len(err.splitlines()) == 1, err
        assert err.startswith("error: ") and "Traceback" not in err
        assert _dump(station.url) == before

    refused()


# --- the attack's own repros, each a traceback before ----------------------------------------

REPROS = {
    "rule-5000-digits": ["template", "block", "add", "--template", "Empty", "--start", "07:00",
                         "--end", "08:00", "--rule", '{"break_count": ' + "7" * 5000 + "}"],
    "rule-100000-deep": ["template", "block", "add", "--template", "Empty", "--start", "07:00",
                         "--end", "08:00", "--rule", "[" * 100_000 + "]" * 100_000],
    "rule-file-not-utf-8": ["template", "block", "add", "--template", "Empty", "--start",
                            "07:00", "--end", "08:00", "--rule-file", "@latin1"],
    "rule-file-deep": ["template", "block", "add", "--template", "Empty", "--start", "07:00",
                       "--end", "08:00", "--rule-file", "@deep"],
    "preview-9999-12-31": ["schedule", "preview", "--channel", "2", "--day", "9999-12-31"],
    "preview-0001-01-01": ["schedule", "preview", "--channel", "2", "--day", "0001-01-01"],
    "show-9999-12-31": ["schedule", "show", "--channel", "2", "--day", "9999-12-31"],
    "show-0001-01-01": ["schedule", "show", "--channel", "2", "--day", "0001-01-01"],
    "asset-id-past-64-bits": ["asset", "update", str(2**64), "--title", "X"],
    "channel-past-64-bits": ["channel", "show", str(2**64)],
    "item-past-64-bits": ["assets", "show", str(2**70)],
    "season-past-64-bits": ["asset", "add", "--title", "X", "--path", "@clip", "--season",
                            str(2**64)],
    "epg-hours-nan": ["epg", "export", "--hours", "nan"],
    "epg-hours-inf": ["epg", "export", "--hours", "inf"],
    "epg-hours-1e300": ["epg", "export", "--hours", "1e300"],
    "rating-any-string": ["asset", "add", "--title", "X", "--path", "@clip", "--rating",
                          "whatever"],
    "text-file-as-programme": ["asset", "add", "--title", "Short", "--duration", "60", "--path",
                               "@text_media", "--canonical"],
    "plex-url-not-a-url": ["source", "add", "--type", "plex", "--name", "P", "--url",
                           "not a url", "--token", "t"],
}  # fmt: skip


@pytest.mark.parametrize("args", REPROS.values(), ids=REPROS.keys())
def test_each_repro_of_the_attack_is_refused_in_one_line(
    station: Station, tmp_path: Path, args: list[str]
) -> None:
    text_media = tmp_path / "notes.txt"
    text_media.write_text("this is not a video\n" * 100)
    where = {**{k: str(v) for k, v in station.files.items()}, "clip": str(station.clip),
             "text_media": str(text_media)}  # fmt: skip
    argv = [where[a[1:]] if a.startswith("@") else a for a in args]
    before = _dump(station.url)
    code, _out, err = _run(station.url, argv)
    assert code == 1, err
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert _dump(station.url) == before
