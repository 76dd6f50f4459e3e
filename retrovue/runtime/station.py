"""`retrovue-station`: the schedule orchestrator, the HTTP server and playout in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from functools import partial
from types import FrameType

import uvicorn

from retrovue.domain.errors import RetroVueError
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.channel_manager import ManagerSettings
from retrovue.runtime.clients import ClientDoors
from retrovue.runtime.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.runtime.master_clock import MasterClock, SystemClock
from retrovue.runtime.playout import PlayoutDeps
from retrovue.runtime.producers import ProducerFactory, find_font
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.settings import DEFAULT_HOST, DEFAULT_PORT, StationSettings
from retrovue.runtime.station_runtime import StationRuntime
from retrovue.runtime.web import create_app
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.xmltv import render_xmltv

log = logging.getLogger("retrovue.station")


def build_runtime(
    settings: StationSettings, service: ScheduleService, clock: MasterClock
) -> StationRuntime:
    """The composition root of playout: one ffmpeg, one director, one as-run log."""
    environ = {"RETROVUE_FFMPEG": settings.ffmpeg} if settings.ffmpeg else {}
    profile = OutputProfile()
    deps = PlayoutDeps(
        clock=clock,
        ffmpeg=Ffmpeg(resolve_ffmpeg(environ)),
        producers=ProducerFactory(profile, settings.data_dir / "cards", find_font()),
        profile=profile,
        director=ProgramDirector(),
        asrun=AsRunLogger(service.db),
    )
    return StationRuntime(
        schedule=service,
        deps=deps,
        manager_settings=ManagerSettings(linger_s=settings.linger_s),
        admin_token=settings.admin_token,
        max_live_channels=settings.max_live_channels,
    )


class _Server(uvicorn.Server):
    """Uvicorn that ends every viewer's stream as soon as a stop signal arrives."""

    def __init__(self, config: uvicorn.Config, runtime: StationRuntime) -> None:
        super().__init__(config)
        self._runtime = runtime

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._runtime.drop_viewers()


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
        await asyncio.sleep(every)


async def serve(settings: StationSettings, clock: MasterClock | None = None) -> None:
    """Run until SIGTERM/SIGINT; every producer is reaped and the as-run log flushed on exit."""
    clock = clock or SystemClock()
    service = await asyncio.to_thread(ScheduleService.open, settings.database_url)
    runtime = build_runtime(settings, service, clock)
    orchestrator = ScheduleOrchestrator(service.db, horizon_hours=settings.horizon_hours)
    doors = await asyncio.to_thread(
        ClientDoors.build, service, clock.now, partial(render_xmltv, service),
        host=settings.host, port=settings.port, tuner_count=settings.max_live_channels,
    )  # fmt: skip
    discovery = await doors.start_discovery()
    config = uvicorn.Config(
        create_app(runtime, doors.routes),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=3,
    )
    planning = asyncio.create_task(
        _plan_forever(orchestrator, clock, settings.plan_every_s)
        if settings.plan_every_s > 0
        else asyncio.sleep(0)
    )
    try:
        await _Server(config, runtime).serve()
    finally:
        discovery.close()
        planning.cancel()
        await asyncio.gather(planning, return_exceptions=True)
        await runtime.shutdown()
        service.close()


def plan(settings: StationSettings, clock: MasterClock | None = None) -> str:
    """Extend every channel's horizon once; returns the summary printed."""
    clock = clock or SystemClock()
    service = ScheduleService.open(settings.database_url)
    try:
        orchestrator = ScheduleOrchestrator(service.db, horizon_hours=settings.horizon_hours)
        report = orchestrator.run_once(clock.now())
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


def _parser() -> argparse.ArgumentParser:
    hide = argparse.SUPPRESS
    parser = argparse.ArgumentParser(prog="retrovue-station", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("serve", help="run the station (the default)")
    once = commands.add_parser("plan", help="extend every channel's horizon once and exit")
    for target in (parser, run, once):
        target.add_argument("--db", dest="database_url", default=hide, help="database URL")
        target.add_argument("--horizon-hours", type=float, default=hide, help="plan ahead (72)")
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
            "--max-live-channels",
            type=int,
            default=hide,
            help="tuners: channels that may stream at once (4)",
        )
        target.add_argument("--plan-every", dest="plan_every_s", type=float, default=hide,
                            help="seconds between planning runs; 0 never plans (300)")  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in ("command", "debug")}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = StationSettings.from_env(**options)
        if args.command == "plan":
            print(plan(settings))
        else:
            asyncio.run(serve(settings))
    except RetroVueError as error:
        if args.debug:
            raise
        print(f"retrovue-station: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
