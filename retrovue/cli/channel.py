"""`retrovue channel ...`: add, list, show, update, remove channels."""

from __future__ import annotations

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.infra.admin_services.parsing import parse_clock

app = typer.Typer(help="Channels: number, name, timezone, grid and rollover.", no_args_is_help=True)

COLUMNS = (
    "number", "name", "type", "timezone", "grid_size", "grid_offset", "rollover",
    "default_template",
)  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    number: int = typer.Option(..., "--number", help="Channel number, unique."),
    name: str = typer.Option(..., "--name"),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA zone, e.g. America/New_York."),
    grid_size: int = typer.Option(30, "--grid-size", help="Grid slot minutes: 15, 30 or 60."),
    grid_offset: int = typer.Option(0, "--grid-offset", help="Minutes past the hour grid starts."),
    rollover: str = typer.Option("06:00", "--rollover", help="Local start of the broadcast day."),
    group: str | None = typer.Option(None, "--group", help="Group shown by IPTV clients."),
    logo: str | None = typer.Option(None, "--logo", help="Logo path or URL."),
    default_template: str | None = typer.Option(None, "--default-template"),
    kind: str = typer.Option(
        "linear", "--type", help="linear (airs its schedule) or guide (shows the TV guide)."
    ),
    audio_language: str | None = typer.Option(
        None, "--audio-language", help='Audio languages in order, e.g. "eng,und".'
    ),
    second_audio: str | None = typer.Option(
        None, "--second-audio", help="Language carried as a second audio track."
    ),
    subtitles: str | None = typer.Option(
        None, "--subtitles", help="Burn in subtitles: off, forced or a language."
    ),
    bug: str | None = typer.Option(None, "--bug", help="Station bug (PNG) on programmes."),
    bug_position: str | None = typer.Option(
        None, "--bug-position", help="top-left, top-right, bottom-left or bottom-right."
    ),
    bug_opacity: float | None = typer.Option(None, "--bug-opacity", help="0 to 1."),
    next_caption: int | None = typer.Option(
        None, "--next-caption", help='Seconds of "Next: TITLE" before a programme ends.'
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a channel."""
    with station(ctx) as s:
        view = s.channels.create_channel(
            number,
            name,
            timezone=timezone,
            grid_size=grid_size,
            grid_offset=grid_offset,
            rollover_minutes=parse_clock(rollover, "rollover"),
            group=group,
            logo=logo,
            default_template=default_template,
            kind=kind,
            audio_language=audio_language,
            second_audio=second_audio,
            subtitles=subtitles,
            bug=bug,
            bug_position=bug_position,
            bug_opacity=bug_opacity,
            next_caption=next_caption,
        )
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"channel {view['number']} {view['name']!r} added")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List channels."""
    with station(ctx) as s:
        render.show(s.channels.list_channels(), as_json, COLUMNS)


@app.command("show")
def show(ctx: typer.Context, number: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one channel."""
    with station(ctx) as s:
        render.show(s.channels.get_channel(number), as_json)


@app.command("update")
def update(
    ctx: typer.Context,
    number: int,
    new_number: int | None = typer.Option(None, "--number"),
    name: str | None = typer.Option(None, "--name"),
    timezone: str | None = typer.Option(None, "--timezone"),
    grid_size: int | None = typer.Option(None, "--grid-size"),
    grid_offset: int | None = typer.Option(None, "--grid-offset"),
    rollover: str | None = typer.Option(None, "--rollover"),
    group: str | None = typer.Option(None, "--group"),
    logo: str | None = typer.Option(None, "--logo"),
    default_template: str | None = typer.Option(
        None, "--default-template", help='Template name; "" clears it.'
    ),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    audio_language: str | None = typer.Option(
        None, "--audio-language", help='Audio languages in order, e.g. "eng,und".'
    ),
    second_audio: str | None = typer.Option(
        None, "--second-audio", help="Language carried as a second audio track."
    ),
    subtitles: str | None = typer.Option(
        None, "--subtitles", help="Burn in subtitles: off, forced or a language."
    ),
    bug: str | None = typer.Option(None, "--bug", help="Station bug (PNG) on programmes."),
    bug_position: str | None = typer.Option(
        None, "--bug-position", help="top-left, top-right, bottom-left or bottom-right."
    ),
    bug_opacity: float | None = typer.Option(None, "--bug-opacity", help="0 to 1."),
    next_caption: int | None = typer.Option(
        None, "--next-caption", help='Seconds of "Next: TITLE" before a programme ends.'
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a channel."""
    with station(ctx) as s:
        view = s.channels.update_channel(
            number,
            new_number=new_number,
            name=name,
            timezone=timezone,
            grid_size=grid_size,
            grid_offset=grid_offset,
            rollover_minutes=None if rollover is None else parse_clock(rollover, "rollover"),
            group=group,
            logo=logo,
            default_template=default_template,
            active=active,
            audio_language=audio_language,
            second_audio=second_audio,
            subtitles=subtitles,
            bug=bug,
            bug_position=bug_position,
            bug_opacity=bug_opacity,
            next_caption=next_caption,
        )
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"channel {view['number']} updated")


@app.command("remove")
def remove(ctx: typer.Context, number: int) -> None:
    """Remove a channel with its schedule and logs."""
    with station(ctx) as s:
        s.channels.remove_channel(number)
    render.done(f"channel {number} removed")
