"""`retrovue-station`: the schedule orchestrator, the HTTP server and playout in one process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from types import FrameType

import uvicorn

from retrovue.errors import RetroVueError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.channel_manager import ManagerSettings
from retrovue.runtime.clients import ClientDoors
from retrovue.runtime.clients.context import WILDCARD_HOSTS, local_address_towards
from retrovue.runtime.clients.discovery import DiscoveryServers
from retrovue.runtime.gating import GatingWatch
from retrovue.runtime.guide.station_guide import StationGuide
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
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def build_runtime(
    settings: StationSettings, service: ScheduleService, clock: MasterClock
) -> StationRuntime:
    """The composition root of playout: one ffmpeg, one director, one guide, one as-run log."""
    environ = {"RETROVUE_FFMPEG": settings.ffmpeg} if settings.ffmpeg else {}
    profile = OutputProfile()
    ffmpeg = Ffmpeg(resolve_ffmpeg(environ))
    font = find_font()
    deps = PlayoutDeps(
        clock=clock,
        ffmpeg=ffmpeg,
        producers=ProducerFactory(profile, settings.data_dir / "cards", font),
        profile=profile,
        director=ProgramDirector(),
        gating=GatingWatch(service.gating_revision),
        guide=StationGuide(service, clock, ffmpeg, profile, settings.data_dir / "guide", font),
        asrun=AsRunLogger(
            service.record_asrun, node=settings.node_name, journal=settings.asrun_journal
        ),
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
    producers = ProducerFactory(OutputProfile(), settings.data_dir / "cards", find_font())
    recipe = Recipe(producers)
    folder = settings.renditions_dir
    maker = RenditionMaker(Ffmpeg(resolve_ffmpeg(environ)), recipe, folder, nice)
    shelf = RenditionShelf(folder, recipe, service, clock)
    return Preparer(shelf, maker, settings.renditions_budget)


SEND_BUFFER_BYTES = 128 * 1024


class _Server(uvicorn.Server):
    """Uvicorn that ends every viewer's stream as soon as a stop signal arrives.

    SIGTERM and SIGINT are the normal way to stop a station, so they end `serve()` like any
    clean exit; uvicorn's own habit of re-raising the signal afterwards would kill the process
    (status -15) before the as-run log and the producers are dealt with.
    """

    def __init__(self, config: uvicorn.Config, runtime: StationRuntime, banner: str) -> None:
        super().__init__(config)
        self._runtime = runtime
        self._banner = banner
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A signal handler may run between any two bytecodes of the loop's thread, mid-publish
        # included: the viewers are dropped by the loop itself, between its callbacks.
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._runtime.drop_viewers)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)
        # Linux lets a connection's send buffer autotune to megabytes, tens of seconds of a
        # channel, so a client that stops reading would never look behind to the fan-out.
        # A modest buffer (inherited by accepted sockets) makes it fall behind, and be
        # dropped, within seconds.
        for server in self.servers:
            for listener in server.sockets:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        if self.started:
            print(self._banner, flush=True)


def ready_banner(settings: StationSettings) -> str:
    """The lines printed once the station listens: where each kind of client goes."""
    if settings.public_url:
        base = settings.public_url.rstrip("/")
    else:
        host = settings.host
        if host in WILDCARD_HOSTS:
            host = local_address_towards("192.0.2.1")  # the LAN address, if there is one
        base = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"
    return "\n".join(
        [
            "RetroVue station ready. Open:",
            f"  Browser (TV guide):        {base}/",
            f"  VLC / mpv / Kodi (M3U):    {base}/iptv/channels.m3u",
            f"  Guide data (XMLTV):        {base}/iptv/xmltv.xml",
            f"  Plex / Jellyfin tuner:     {base}  (HDHomeRun, {settings.tuner_count} tuners)",
            "Ctrl-C stops the station.",
        ]
    )


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
    service = await asyncio.to_thread(ScheduleService.open, settings.database_url)
    runtime: StationRuntime | None = None
    discovery: DiscoveryServers | None = None
    planning: asyncio.Task[None] | None = None
    watching: asyncio.Task[None] | None = None
    preparing: BackgroundPreparer | None = None
    try:
        runtime = build_runtime(settings, service, clock)
        watching = asyncio.create_task(runtime.watch())
        orchestrator = service.orchestrator(settings.horizon_hours)
        doors = await asyncio.to_thread(
            ClientDoors.build, service, clock.now, partial(render_xmltv, service),
            host=settings.host, port=settings.port, tuner_count=settings.tuner_count,
            public_url=settings.public_url, discovery=settings.discovery_enabled,
        )  # fmt: skip
        discovery = await doors.start_discovery()
        config = uvicorn.Config(
            create_app(runtime, [*doors.routes, *page_routes(runtime, doors.context)]),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            timeout_graceful_shutdown=3,
        )
        if settings.plan_every_s > 0:
            planning = asyncio.create_task(
                _plan_forever(orchestrator, clock, settings.plan_every_s)
            )
        if settings.prepare_workers > 0:
            preparing = _background_preparer(settings, service, clock, runtime)
            preparing.start()
        await _Server(config, runtime, ready_banner(settings)).serve()
    finally:
        if preparing is not None:
            await asyncio.to_thread(preparing.stop)
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
        report = service.orchestrator(settings.horizon_hours).run_once(clock.now())
    finally:
        service.close()
    lines = [
        f"channels planned: {report.channels_planned}",
        f"events written: {report.events_written}",
        f"events replaced: {report.events_replaced}",
        f"days built: {report.days_built}",
        f"events trimmed: {report.events_trimmed}",
        *(f"warning: {warning}" for warning in report.warnings),
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    hide = argparse.SUPPRESS
    parser = argparse.ArgumentParser(prog="retrovue-station", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("serve", help="run the station (the default)")
    once = commands.add_parser("plan", help="extend every channel's horizon once and exit")
    ready = commands.add_parser("prepare", help="prepare renditions of what airs soon and exit")
    for target in (parser, run, once, ready):
        target.add_argument("--db", dest="database_url", default=hide, help="database URL")
    for target in (parser, run, once):
        target.add_argument("--horizon-hours", type=float, default=hide, help="plan ahead (72)")
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
        return 1
    except KeyboardInterrupt:  # a stop signal before the server took over its handling
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
