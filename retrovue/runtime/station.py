"""`retrovue-station`: the schedule orchestrator, the HTTP server and playout in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from starlette.types import ASGIApp

from retrovue.errors import ListenError, RetroVueError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.channel_manager import ManagerSettings
from retrovue.runtime.clients import ClientDoors
from retrovue.runtime.clients.discovery import DiscoveryServers
from retrovue.runtime.gating import GatingWatch
from retrovue.runtime.guide.station_guide import StationGuide
from retrovue.runtime.http_server import (
    EXIT_CANNOT_LISTEN,
    HdhomerunPort,
    StationServer,
    bind_listeners,
    ready_banner,
    server_config,
)
from retrovue.runtime.master_clock import MasterClock, SystemClock
from retrovue.runtime.pages import page_routes
from retrovue.runtime.playout import PlayoutDeps
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.background import IDLE_PRIORITY, BackgroundPreparer
from retrovue.runtime.renditions.budget import parse_size
from retrovue.runtime.renditions.maker import RenditionMaker
from retrovue.runtime.renditions.prepare import Preparer
from retrovue.runtime.renditions.progress_bar import PrepareBar
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.settings import DEFAULT_HOST, DEFAULT_PORT, StationSettings
from retrovue.runtime.station_runtime import StationRuntime
from retrovue.runtime.web import create_app
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.xmltv import render_xmltv

log = logging.getLogger("retrovue.station")


def build_producers(settings: StationSettings) -> ProducerFactory:
    """The file and card producers' settings: playout's and the renditions' recipe's, so a
    rendition `prepare` made has the key playout looks for."""
    return ProducerFactory(
        OutputProfile(),
        settings.data_dir / "cards",
        find_font(),
        loudness_target=settings.loudness_target,
        second_audio_track=True,
    )


def build_runtime(
    settings: StationSettings, service: ScheduleService, clock: MasterClock
) -> StationRuntime:
    """The composition root of playout: one ffmpeg, one director, one guide, one as-run log,
    and the shelf items with a prepared rendition air from."""
    environ = {"RETROVUE_FFMPEG": settings.ffmpeg} if settings.ffmpeg else {}
    producers = build_producers(settings)
    profile = producers.profile
    font = producers.font
    ffmpeg = Ffmpeg(resolve_ffmpeg(environ))
    deps = PlayoutDeps(
        clock=clock,
        ffmpeg=ffmpeg,
        producers=producers,
        profile=profile,
        director=ProgramDirector(),
        gating=GatingWatch(service.gating_revision),
        guide=StationGuide(service, clock, ffmpeg, profile, settings.data_dir / "guide", font),
        asrun=AsRunLogger(
            service.record_asrun, node=settings.node_name, journal=settings.asrun_journal
        ),
        renditions=RenditionShelf(settings.renditions_dir, Recipe(producers), service, clock),
    )
    return StationRuntime(
        schedule=service,
        deps=deps,
        manager_settings=ManagerSettings(linger_s=settings.linger_s),
        admin_token=settings.admin_token,
        max_live_channels=settings.tuner_count,
    )


def build_preparer(
    settings: StationSettings,
    service: ScheduleService,
    clock: MasterClock,
    nice: int | None = None,
) -> Preparer:
    """What makes renditions: the recipe of the very producers playout runs."""
    environ = {"RETROVUE_FFMPEG": settings.ffmpeg} if settings.ffmpeg else {}
    recipe = Recipe(build_producers(settings))
    folder = settings.renditions_dir
    maker = RenditionMaker(Ffmpeg(resolve_ffmpeg(environ)), recipe, folder, nice)
    shelf = RenditionShelf(folder, recipe, service, clock)
    return Preparer(shelf, maker, settings.renditions_budget)


async def _plan_forever(
    orchestrator: ScheduleOrchestrator, clock: MasterClock, every: float
) -> None:
    while True:
        try:
            report = await asyncio.to_thread(orchestrator.run_once, clock.now())
            log.info(
                "planned %d channels, %d events", report.channels_planned, report.events_written
            )
        except RetroVueError as error:
            log.warning("planning failed: %s", error)
        except Exception:  # a bug in one run must not end planning for the process's life
            log.exception("planning failed")
        await asyncio.sleep(every)


async def serve(settings: StationSettings, clock: MasterClock | None = None) -> None:
    """Run until SIGTERM/SIGINT; every producer is reaped and the as-run log flushed on exit."""
    clock = clock or SystemClock()
    listeners = bind_listeners(settings)  # first: a taken port is known before anything starts
    try:
        service = await asyncio.to_thread(ScheduleService.open, settings.database_url)
    except BaseException:
        for listener in listeners:
            listener.close()
        raise
    runtime: StationRuntime | None = None
    discovery: DiscoveryServers | None = None
    planning: asyncio.Task[None] | None = None
    watching: asyncio.Task[None] | None = None
    preparing: BackgroundPreparer | None = None
    try:
        runtime = build_runtime(settings, service, clock)
        watching = asyncio.create_task(runtime.watch())
        orchestrator = service.orchestrator(settings.horizon_hours, settings.epg_days)
        doors = await asyncio.to_thread(
            ClientDoors.build, service, clock.now, partial(render_xmltv, service),
            host=settings.host, port=settings.port, tuner_count=settings.tuner_count,
            public_url=settings.public_url, discovery=settings.discovery_enabled,
        )  # fmt: skip
        discovery = await doors.start_discovery()
        app: ASGIApp = create_app(runtime, [*doors.routes, *page_routes(runtime, doors.context)])
        if settings.hdhr_port is not None:
            app = HdhomerunPort(app, settings.hdhr_port, settings.port)
        if settings.plan_every_s > 0:
            planning = asyncio.create_task(
                _plan_forever(orchestrator, clock, settings.plan_every_s)
            )
        if settings.prepare_workers > 0:
            preparing = _background_preparer(settings, service, clock, runtime)
            preparing.start()
        server = StationServer(server_config(app), runtime, ready_banner(settings))
        await server.serve(sockets=listeners)
    finally:
        if preparing is not None:
            await asyncio.to_thread(preparing.stop)
        for listener in listeners:
            listener.close()
        if discovery is not None:
            discovery.close()
        for task in (planning, watching):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if runtime is not None:
            await runtime.shutdown()  # also closes the as-run log
        service.close()


def _background_preparer(
    settings: StationSettings,
    service: ScheduleService,
    clock: MasterClock,
    runtime: StationRuntime,
) -> BackgroundPreparer:
    """Renditions made while the station serves, paused while any live producer runs (a
    producer has a process id; a rendition read in place has none, a negative number)."""

    def busy() -> bool:
        try:
            managers = list(runtime.managers.values())
            return any(pid > 0 for manager in managers for pid in manager.producer_pids)
        except RuntimeError:  # a set copied while playout changed it: look again soon
            return True

    preparer = build_preparer(settings, service, clock, nice=IDLE_PRIORITY)
    return BackgroundPreparer(preparer, settings.prepare_hours, settings.prepare_workers, busy)


def prepare(settings: StationSettings, clock: MasterClock | None = None) -> int:
    """Prepare renditions of what airs in the next `prepare_hours`, then exit; 1 when any
    item could not be prepared."""
    clock = clock or SystemClock()
    service = ScheduleService.open(settings.database_url)
    try:
        preparer = build_preparer(settings, service, clock)
        with PrepareBar() as bar:
            report = preparer.run(settings.prepare_hours, bar)
    finally:
        service.close()
    lines = [
        f"renditions made: {len(report.made)}",
        f"already prepared: {report.already}",
        f"evicted for room: {report.evicted}",
        *([f"left for want of room: {report.held_back}"] if report.held_back else []),
        *(f"failed: {asset.title}: {error}" for asset, error in report.failed),
    ]
    print("\n".join(lines))
    return 1 if report.failed else 0


def plan(settings: StationSettings, clock: MasterClock | None = None) -> str:
    """Extend every channel's horizon once; returns the summary printed."""
    clock = clock or SystemClock()
    service = ScheduleService.open(settings.database_url)
    try:
        orchestrator = service.orchestrator(settings.horizon_hours, settings.epg_days)
        report = orchestrator.run_once(clock.now())
    finally:
        service.close()
    lines = [
        f"channels planned: {report.channels_planned}",
        f"events written: {report.events_written}",
        f"events replaced: {report.events_replaced}",
        f"days built: {report.days_built}",
        f"guide entries written: {report.entries_written}",
        f"days laid out: {report.days_laid}",
        f"events trimmed: {report.events_trimmed}",
        *(f"warning: {warning}" for warning in report.warnings),
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    hide = argparse.SUPPRESS
    parser = argparse.ArgumentParser(
        prog="retrovue-station",
        description=__doc__,
        epilog=f"exit status: 0 stopped cleanly, 1 an error (a bad setting, the database), "
        f"2 bad usage, {EXIT_CANNOT_LISTEN} a port it cannot listen on (taken, or privileged)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("serve", help="run the station (the default)")
    once = commands.add_parser("plan", help="extend every channel's horizon once and exit")
    ready = commands.add_parser("prepare", help="prepare renditions of what airs soon and exit")
    for target in (parser, run, once, ready):
        target.add_argument("--db", dest="database_url", default=hide, help="database URL")
    for target in (parser, run, once):
        target.add_argument(
            "--horizon-hours", type=float, default=hide,
            help="hours of playlog planned ahead, every event with its spots (48)",
        )  # fmt: skip
        target.add_argument(
            "--epg-days", type=float, default=hide,
            help="days of guide planned ahead, programmes and their slots (14)",
        )  # fmt: skip
    ready.add_argument("--hours", dest="prepare_hours", type=float, default=hide, metavar="HOURS",
                       help="prepare what airs this many hours ahead (48)")  # fmt: skip
    for target in (parser, run, ready):
        target.add_argument("--renditions", type=Path, default=hide, metavar="DIR",
                            help="where renditions are kept (DATA_DIR/renditions)")  # fmt: skip
        target.add_argument("--renditions-budget", type=_size, default=hide, metavar="SIZE",
                            help="disk the renditions may take, e.g. 50G (no limit)")  # fmt: skip
    for target in (parser, run):
        target.add_argument("--prepare-workers", type=int, default=hide, metavar="N",
                            help="rendition workers at idle priority; 0: none (1)")  # fmt: skip
    for target in (parser, run):
        target.add_argument("--host", default=hide, help=f"listen address ({DEFAULT_HOST})")
        target.add_argument("--port", type=int, default=hide, help=f"listen port ({DEFAULT_PORT})")
        target.add_argument(
            "--linger",
            dest="linger_s",
            type=float,
            default=hide,
            help="seconds a channel stays live after its last viewer (30)",
        )
        target.add_argument(
            "--tuner-count",
            "--max-live-channels",
            dest="tuner_count",
            type=int,
            default=hide,
            help="tuners: distinct channels that may stream at once, HDHomeRun TunerCount (4)",
        )
        target.add_argument(
            "--public-url",
            default=hide,
            help="base URL clients reach the station at, for M3U, lineup and discovery links",
        )
        target.add_argument(
            "--discovery",
            action=argparse.BooleanOptionalAction,
            default=hide,
            help="answer SSDP and HDHomeRun UDP discovery (on when listening beyond loopback)",
        )
        target.add_argument("--plan-every", dest="plan_every_s", type=float, default=hide,
                            help="seconds between planning runs; 0 never plans (300)")  # fmt: skip
        target.add_argument("--node", default=hide,
                            help="this station's name on its as-run rows (host:port)")  # fmt: skip
        target.add_argument("--hdhr-port", type=int, default=hide,
                            help="also serve the HDHomeRun documents on this port (80 for "
                            "Jellyfin and Plex discovery; needs CAP_NET_BIND_SERVICE)")  # fmt: skip
        target.add_argument("--loudness-target", dest="loudness_target", type=float,
                            default=hide, help="LUFS every item airs at (-24)")  # fmt: skip
    return parser


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in ("command", "debug")}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # it reads the schema revision
    try:
        settings = StationSettings.from_env(**options)
        if args.command == "plan":
            print(plan(settings))
        elif args.command == "prepare":
            return prepare(settings)
        else:
            asyncio.run(serve(settings))
    except RetroVueError as error:
        if args.debug:
            raise
        print(f"retrovue-station: {error}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN if isinstance(error, ListenError) else 1
    except KeyboardInterrupt:  # a stop signal before the server took over its handling
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
