"""The playout thread of one channel: producers in, one paced, continuous MPEG-TS out."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from retrovue.errors import FfmpegError, MediaError
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime import channel_time
from retrovue.runtime.asrun_logger import AsRunLogger, Status
from retrovue.runtime.gating import GatingWatch
from retrovue.runtime.master_clock import MasterClock
from retrovue.runtime.muxer import Chunk, TsMuxer
from retrovue.runtime.planner import UNSCHEDULED_SLATE, Slot, SlotsAhead
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.program_director import DirectorState, ProgramDirector
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.renditions.source import RenditionSource
from retrovue.runtime.source import MediaPacket, ProducerSource, Source, SourceEnd, SourceFactory
from retrovue.runtime.timeline import ItemCursor

if TYPE_CHECKING:  # the guide draws pages that import playout: a type-only reference
    from retrovue.runtime.guide.station_guide import StationGuide

log = logging.getLogger(__name__)

EMERGENCY_CARD_S = 3600.0
FIRST_PACKET_S = 5.0  # a producer's first packet may take this long (a slow seek, a NAS)
STALL_S = 1.0  # once flowing, a producer silent this long has stalled: viewers hold ~1 s
LATE_S = 2.0  # playout this far behind its on-air time rejoins the schedule instead of bursting
PICTURE_LAG_S = 1.0  # sound running this far past the last picture: the picture has ended
REJOINS_PER_SLOT = 2  # producer failures in one slot resumed at the offset; then slate
LOOKUP_WAIT_S = 1.0  # at a boundary, how long playout waits on a slot still being looked up
SHORTFALL_FRAMES = 1  # one missing frame is a gap of two frame durations: the most allowed
SIGN_OFF_S = 3.0  # a channel taken off the air ends on this much slate
GUIDE_MODE = "guide mode"
RENDITION_NOTE = "from its rendition"  # the as-run's word for an item spliced, not transcoded


@dataclass(frozen=True)
class PlayoutDeps:
    """What every channel's playout shares.

    `sources` starts a producer from its ffmpeg arguments, `muxers` makes the channel's
    muxer and `lookups` the executor slot lookups run on (tests script all three).
    `renditions` is where prepared renditions are found (None: every item is transcoded).
    """

    clock: MasterClock
    ffmpeg: Ffmpeg
    producers: ProducerFactory
    profile: OutputProfile
    director: ProgramDirector
    asrun: AsRunLogger
    gating: GatingWatch = field(default_factory=GatingWatch)
    guide: StationGuide | None = None
    sources: SourceFactory | None = None
    muxers: MuxerFactory | None = None
    lookups: Callable[[str], Executor] | None = None
    renditions: RenditionShelf | None = None
    lead_s: float = 1.0
    prefetch_s: float = 2.5

    def start_source(self, args: list[str], label: str) -> Source:
        if self.sources is not None:
            return self.sources(args, label)
        return ProducerSource(self.ffmpeg, args, label)

    def muxer(
        self,
        emit: Callable[[list[Chunk]], None],
        service_name: str,
        audio_languages: tuple[str | None, ...] = (None,),
    ) -> Muxer:
        if self.muxers is not None:
            return self.muxers(emit, service_name)
        return TsMuxer(emit, self.profile, service_name, audio_languages=audio_languages)


class Muxer(Protocol):
    """Where placed packets go: the channel's MPEG-TS muxer."""

    def send(self, item: MediaPacket, ts: int) -> None: ...

    def close(self) -> None: ...


class SlotSource(Protocol):
    """What airs from an instant: the Planner, or a script in tests."""

    def slot_at(self, at: dt.datetime) -> Slot: ...


MuxerFactory = Callable[[Callable[[list[Chunk]], None], str], Muxer]


@dataclass
class _Segment:
    slot: Slot
    source: Source
    mode_version: int
    note: str | None = None  # what the as-run says of how it aired, beyond the slot's reason
    cursor: ItemCursor | None = None
    asrun: int | None = None
    last_packet: float = 0.0
    flowing: bool = False
    closed: bool = False


class PlayoutEngine:
    """Runs in its own thread from `start()` until `stop()`; emits chunks as they are muxed."""

    def __init__(
        self,
        channel_number: int,
        channel_name: str,
        planner: SlotSource,
        deps: PlayoutDeps,
        emit: Callable[[list[Chunk]], None],
        tuned_at: dt.datetime | None = None,
        on_failure: Callable[[Exception], None] | None = None,
        audio_languages: tuple[str | None, ...] = (None,),
    ) -> None:
        """`tuned_at` is when the viewer asked: the stream opens on the segment boundary at or
        before it (or before now, when it is over a segment ago), at that instant's offset.

        `on_failure` is called from the playout thread when playout ends by an error it could
        not air slate over: the channel is off air and its viewers must be told.
        `audio_languages` are the channel's audio tracks (see `TsMuxer`), fixed while it plays.
        """
        self.channel_number = channel_number
        self._name = channel_name
        self._planner = planner
        name = f"schedule {channel_number}"
        executor = None if deps.lookups is None else deps.lookups(name)
        self._ahead = SlotsAhead(self._planned, name, executor)
        self._deps = deps
        self._muxer = deps.muxer(emit, channel_name, audio_languages)
        self._audio_tracks = len(audio_languages)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"playout {channel_number}")
        self._on_failure = on_failure
        self._recovered_at = float("-inf")
        self._upcoming: _Segment | None = None
        self._rejoins: dict[tuple[int | None, dt.datetime], int] = {}
        self._sign_off: str | None = None
        now = deps.clock.now()
        # Channel time is the wall clock's (channel_time.py); the stream opens on the segment
        # boundary at or before the tune-in, so its first keyframe is one every station cuts.
        # It is never more than a segment in the past: what is older would arrive too late.
        profile = deps.profile
        tuned = now if tuned_at is None or tuned_at > now else tuned_at
        first = channel_time.segment_floor(channel_time.tick_at(tuned, profile), profile)
        if first < channel_time.tick_at(now, profile) - channel_time.segment_ticks(profile):
            first = channel_time.segment_floor(channel_time.tick_at(now, profile), profile)
        self._first_tick = first
        self._released = first
        self._mono0 = deps.clock.monotonic() - (now - channel_time.EPOCH).total_seconds()
        self.producer_pids: set[int] = set()

    def start(self) -> None:
        self._thread.start()

    def sign_off(self, reason: str) -> None:
        """End the channel on a few seconds of slate, then stop (it left the air)."""
        self._sign_off = reason

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop playout and wait until every producer is reaped; False if `timeout` ran out."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- time --------------------------------------------------------------------------------
    def _wall_at(self, tick: int) -> dt.datetime:
        return channel_time.wall_at(tick)

    def _tick_at(self, wall: dt.datetime) -> int:
        return channel_time.tick_at(wall, self._deps.profile)

    def _on_air(self, tick: int) -> float:
        """The monotonic instant `tick` is on air (it is sent `lead_s` before)."""
        return self._mono0 + tick / TICKS_PER_SECOND

    def _pace(self, tick: int) -> None:
        clock = self._deps.clock
        due = self._on_air(tick) - self._deps.lead_s
        while not self._stop.is_set() and (wait := due - clock.monotonic()) > 0:
            clock.sleep(min(wait, 0.05))

    def _late_by(self, tick: int) -> float:
        return self._deps.clock.monotonic() - self._on_air(tick)

    def _catch_up(self, tick: int) -> int:
        """Where the timeline goes on after `tick` when playout has fallen behind it: now.

        What was late is not sent in a burst to catch up, and the channel's clock never moves
        (it is the wall clock, on every station alike): the timeline skips the time lost, and
        what airs next is looked up at the new instant (so it starts at its scheduled offset,
        and the boundaries after it stay on the schedule).
        """
        late = self._late_by(tick)
        if late <= 0:
            return tick
        frame = self._deps.profile.frame_ticks
        return tick + -(-round(late * TICKS_PER_SECOND) // frame) * frame

    def _slow_start(self, segment: _Segment, tick: int) -> int:
        """A producer that took long to start airs from where it started, whole segments
        later than planned (its keyframes stay on the boundaries), and its slot ends on
        schedule (so it airs shorter). Returns how many ticks later it airs."""
        length = channel_time.segment_ticks(self._deps.profile)
        late = round(self._late_by(tick) * TICKS_PER_SECOND)
        shift = -(-late // length) * length
        cursor = segment.cursor
        assert cursor is not None
        cursor.delay(shift)
        if cursor.end is not None:
            cursor.end = max(cursor.end, cursor.start + self._deps.profile.frame_ticks)
        return shift

    # -- segments ----------------------------------------------------------------------------
    def _open(
        self, at: dt.datetime, state: DirectorState, wait: float = LOOKUP_WAIT_S, live: bool = False
    ) -> _Segment:
        """What airs from `at`; `live` transcodes it even when it has a rendition."""
        if state.mode == "emergency":
            slot = Slot("emergency", at, None, status="emergency", reason=state.message)
        elif state.mode == "guide":
            slot = Slot("guide", at, None, status="substituted", reason=GUIDE_MODE)
        else:
            slot = self._ahead.slot_at(at, wait)
        if live and slot.rendition is not None:
            slot = replace(slot, rendition=None)
        return self._segment(slot, state)

    def _planned(self, at: dt.datetime) -> Slot:
        """The planner's slot from `at` (on the lookup thread: it reads the database and files)."""
        slot = self._planner.slot_at(at)
        two_frames = dt.timedelta(seconds=2 / self._deps.profile.fps)
        if slot.end_utc is not None and slot.end_utc - at < two_frames:
            slot = self._planner.slot_at(slot.end_utc)
        shelf = self._deps.renditions
        if shelf is not None and slot.action == "file" and slot.item is not None:
            found = shelf.find(slot.item, slot.has_audio)
            if found is not None:
                slot = replace(slot, rendition=found)
        return slot

    def _segment(self, slot: Slot, state: DirectorState) -> _Segment:
        source, note = self._spawn(slot)
        return _Segment(slot, source, state.version, note, last_packet=self._deps.clock.monotonic())

    def _spawn(self, slot: Slot) -> tuple[Source, str | None]:
        """The producer of `slot`, and the as-run's note of how it airs."""
        factory = self._deps.producers
        span = None if slot.end_utc is None else (slot.end_utc - slot.start_utc).total_seconds()
        seconds = EMERGENCY_CARD_S if span is None else span + 1.0
        label = f"{self.channel_number}:{slot.action}@{slot.start_utc:%H:%M:%S}"
        note = None
        if slot.rendition is not None:
            try:
                # A splice of packets already in the channel's profile: no decoder, no encoder.
                spliced = RenditionSource(slot.rendition.path, slot.offset_s, seconds, label)
            except MediaError as error:
                log.warning("channel %s: %s; airing it live", self.channel_number, error)
                note = f"rendition unreadable, aired live: {error}"
            else:
                self.producer_pids.add(spliced.pid)
                return spliced, RENDITION_NOTE
        if slot.action == "file" and slot.item is not None and slot.item.file_path:
            args = factory.scheduled(slot.item, slot.offset_s, seconds, slot.has_audio)
        elif slot.action == "emergency":
            args = factory.card("emergency", seconds, ("EMERGENCY", slot.reason or ""))
        elif slot.action == "guide" and self._deps.guide is not None:
            args = self._deps.guide.args(seconds)
        elif slot.action == "black":
            args = factory.card("black", seconds)
        else:
            args = factory.card("slate", seconds, (self._name, "We'll be right back"))
        start = self._tick_at(slot.start_utc)
        profile = self._deps.profile
        try:
            source = self._deps.start_source(
                channel_time.keyframes_on_boundaries(args, start, profile), label
            )
        except FfmpegError:
            if slot.action == "slate":
                raise
            log.exception("channel %s: producer failed to start; slate", self.channel_number)
            slate = factory.card("slate", seconds)
            source = self._deps.start_source(
                channel_time.keyframes_on_boundaries(slate, start, profile), label
            )
        self.producer_pids.add(source.pid)
        return source, note

    def _begin(self, segment: _Segment, start: int, audio_floor: int) -> _Segment:
        profile = self._deps.profile
        end = None if segment.slot.end_utc is None else self._tick_at(segment.slot.end_utc)
        segment.last_packet = self._deps.clock.monotonic()
        segment.cursor = ItemCursor(
            start, end, audio_floor, profile.frame_ticks, profile.audio_frame_ticks,
            self._audio_tracks,
        )  # fmt: skip
        return segment

    def _close(self, segment: _Segment, status: Status | None, reason: str | None) -> None:
        if segment.closed:
            return
        segment.closed = True
        segment.source.close()
        self.producer_pids.discard(segment.source.pid)
        if segment.asrun is not None and segment.cursor is not None:
            ended = self._wall_at(segment.cursor.video_end)
            self._deps.asrun.end(segment.asrun, ended, status, reason)

    def _drop_upcoming(self) -> None:
        if self._upcoming is not None:
            self._upcoming.source.close()
            self.producer_pids.discard(self._upcoming.source.pid)
            self._upcoming = None

    def _next(self, current: _Segment, error: str | None) -> _Segment:
        """Close `current` (its producer ended) and begin what follows it.

        What follows starts on the scheduled boundary tick, never where the last picture
        happened to end: starting early would leave audio (which runs to the boundary) behind
        its picture and push every later item off the schedule. A producer that failed is
        resumed where the schedule is now; a file that simply ran out airs slate to the end.
        """
        cursor = current.cursor
        assert cursor is not None
        if self._sign_off is not None and current.slot.reason == self._sign_off:
            raise _SignedOff(self._sign_off)
        short = cursor.shortfall_ticks() > SHORTFALL_FRAMES * self._deps.profile.frame_ticks
        if error is not None and (cursor.end is None or short):
            return self._rejoin(current, error)
        failure = None
        if cursor.end is not None and short:
            seconds = cursor.shortfall_ticks() / TICKS_PER_SECOND
            failure = f"picture ended {seconds:.1f} s before the slot"
        status: Status | None = (
            "interrupted" if failure and current.slot.status == "aired" else None
        )
        self._close(current, status, failure)
        floor = cursor.audio_end
        state = self._deps.director.state
        if failure is not None and current.slot.end_utc is not None:
            return self._slate_rest(current, cursor, failure)
        start = cursor.video_end if cursor.end is None else cursor.end
        at = current.slot.end_utc or self._wall_at(start)
        upcoming, self._upcoming = self._upcoming, None
        if upcoming is None or (upcoming.slot.end_utc is not None and upcoming.slot.end_utc <= at):
            if upcoming is not None:
                self._close(upcoming, None, None)
            upcoming = self._open(at, state)
        return self._begin(upcoming, start, floor)

    def _slate_rest(
        self, current: _Segment, cursor: ItemCursor, reason: str, start: int | None = None
    ) -> _Segment:
        """Slate from where `current` stopped (or from `start`) to the end of its slot."""
        start = cursor.video_end if start is None else start
        state = self._deps.director.state
        if current.slot.end_utc is not None and start >= self._tick_at(current.slot.end_utc):
            # the time skipped ran past the slot: what follows it airs from `start`
            return self._begin(self._open(self._wall_at(start), state), start, cursor.audio_end)
        end = current.slot.end_utc or self._wall_at(start) + UNSCHEDULED_SLATE
        slot = Slot(
            "slate", self._wall_at(start), end, current.slot.item,
            status="substituted", reason=reason,
        )  # fmt: skip
        return self._begin(self._segment(slot, state), start, cursor.audio_end)

    def _rejoin(self, current: _Segment, reason: str) -> _Segment:
        """`current`'s producer failed, stalled or fell behind: air what the schedule says now.

        The channel's timeline goes on without a break, unless playout fell behind: then it
        skips the time lost rather than burst (`_catch_up`). A new producer starts at the
        item's scheduled offset.
        A file that fails again and again in one slot airs slate for the rest of it.
        """
        cursor = current.cursor
        assert cursor is not None
        aired = current.slot.status == "aired"
        self._close(current, "interrupted" if aired else None, reason)
        self._drop_upcoming()
        resume = self._catch_up(cursor.video_end)
        item = current.slot.item
        key = (None if item is None else item.event_id, self._slot_start(current))
        tries = self._rejoins.get(key, 0)
        if current.slot.action == "file" and tries >= REJOINS_PER_SLOT:
            log.warning("channel %s: %s; slate to the slot's end", self.channel_number, reason)
            again = f"{reason} (again: slate to the slot's end)"
            return self._slate_rest(current, cursor, again, resume)
        self._rejoins[key] = tries + 1
        log.warning("channel %s: %s; rejoining the schedule", self.channel_number, reason)
        # A rendition that failed on air is not tried again in this slot: the item goes live.
        live = current.note == RENDITION_NOTE
        segment = self._open(self._wall_at(resume), self._deps.director.state, live=live)
        return self._begin(segment, resume, cursor.audio_end)

    @staticmethod
    def _slot_start(segment: _Segment) -> dt.datetime:
        item = segment.slot.item
        return segment.slot.start_utc if item is None else item.start_utc

    def _cut(self, current: _Segment, state: DirectorState) -> _Segment:
        """The director changed mode: end what is on air now and follow the new mode."""
        cursor = current.cursor
        assert cursor is not None
        if not _by_mode(current.slot):
            self._close(current, "interrupted", f"{state.mode} mode")
        else:  # leaving a mode: its row keeps the reason it aired with
            self._close(current, None, None)
        self._drop_upcoming()
        segment = self._open(self._wall_at(cursor.video_end), state)
        return self._begin(segment, cursor.video_end, cursor.audio_end)

    def _signing_off(self, current: _Segment, reason: str) -> _Segment:
        """The channel left the air: a last few seconds of slate, then playout ends."""
        cursor = current.cursor
        assert cursor is not None
        self._close(current, "interrupted" if current.slot.status == "aired" else None, reason)
        self._drop_upcoming()
        start = self._wall_at(cursor.video_end)
        slot = Slot(
            "slate", start, start + dt.timedelta(seconds=SIGN_OFF_S),
            status="substituted", reason=reason,
        )  # fmt: skip
        segment = self._segment(slot, self._deps.director.state)
        return self._begin(segment, cursor.video_end, cursor.audio_end)

    # -- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        segment: _Segment | None = None
        failure: Exception | None = None
        try:
            segment = self._begin(
                self._open(
                    self._wall_at(self._first_tick), self._deps.director.state, FIRST_PACKET_S
                ),
                self._first_tick,
                self._first_tick,
            )
            while not self._stop.is_set():
                try:
                    segment = self._step(segment)
                except _SignedOff:
                    break
                except Exception as error:
                    segment = self._recover(segment, error)
        except Exception as error:
            failure = error
            log.exception("channel %s: playout failed; the channel is off air", self.channel_number)
        finally:
            try:
                self._ahead.close()
                self._drop_upcoming()
                if segment is not None:
                    self._close(segment, None, None)
                self._muxer.close()
            except Exception:
                log.exception("channel %s: playout did not close cleanly", self.channel_number)
            if self._on_failure is not None:
                if failure is not None:
                    self._on_failure(failure)
                elif self._sign_off is not None and not self._stop.is_set():
                    self._on_failure(_SignedOff(self._sign_off))

    def _recover(self, segment: _Segment, error: Exception) -> _Segment:
        """Air slate in place of a segment whose playout raised.

        The error is re-raised (playout ends) when the last one was recovered from moments
        ago: an error that recurs whatever airs is not the item's fault.
        """
        now = self._deps.clock.monotonic()
        if segment.cursor is None or now - self._recovered_at < FIRST_PACKET_S:
            raise error
        self._recovered_at = now
        log.error("channel %s: playout error, airing slate: %s", self.channel_number, error)
        cursor = segment.cursor
        self._close(segment, "interrupted" if segment.slot.status == "aired" else None, str(error))
        self._drop_upcoming()
        resume = self._catch_up(cursor.video_end)
        return self._slate_rest(segment, cursor, f"playout error: {error}", resume)

    def _step(self, segment: _Segment) -> _Segment:
        cursor = segment.cursor
        assert cursor is not None
        if self._sign_off is not None and segment.slot.reason != self._sign_off:
            return self._signing_off(segment, self._sign_off)
        state = self._deps.director.state
        if state.version != segment.mode_version:
            if not _follows(segment.slot, state):
                return self._cut(segment, state)
            segment.mode_version = state.version
        prefetch_ticks = round(self._deps.prefetch_s * TICKS_PER_SECOND)
        end = segment.slot.end_utc
        if (
            self._upcoming is None
            and self._sign_off is None
            and cursor.end is not None
            and end is not None
            and self._released >= cursor.end - prefetch_ticks
            and (state.mode != "normal" or self._ahead.ready(end))
        ):
            # The next item opens at its scheduled start exactly (offset 0 into a file), not at
            # the frame-rounded tick's wall time, which may fall a few ms into it. Its lookup
            # runs aside; its producer starts here once the lookup is done.
            self._upcoming = self._open(end, state)
        got = segment.source.get(timeout=0.05)
        now = self._deps.clock.monotonic()
        if got is None:
            silent = now - segment.last_packet
            if silent > (STALL_S if segment.flowing else FIRST_PACKET_S):
                return self._next(segment, f"producer stalled for {silent:.1f} s")
            if segment.flowing and self._late_by(cursor.video_end) > LATE_S:
                return self._next(
                    segment, f"producer fell {self._late_by(cursor.video_end):.1f} s behind"
                )
            return segment
        segment.last_packet = now
        segment.flowing = True
        if isinstance(got, SourceEnd):
            return self._next(segment, got.error)
        shift = 0
        for item, placed in cursor.place(got):
            tick = placed + shift
            late = self._late_by(tick)
            if late > LATE_S:
                if segment.asrun is not None:
                    return self._rejoin(segment, f"producer fell {late:.1f} s behind")
                moved = self._slow_start(segment, tick)
                shift, tick = shift + moved, tick + moved
            self._pace(tick)
            if segment.asrun is None:
                segment.asrun = self._log_start(segment, cursor.start)
            self._muxer.send(item, tick)
            self._released = max(self._released, tick)
        if cursor.sound_alone_ticks() > PICTURE_LAG_S * TICKS_PER_SECOND:
            return self._next(segment, None)  # sound alone goes on: the picture has ended
        if cursor.video_complete and cursor.audio_complete:
            return self._next(segment, None)
        return segment

    def _log_start(self, segment: _Segment, start: int) -> int:
        slot = segment.slot
        item = slot.item
        reason = "; ".join(r for r in (slot.reason, segment.note) if r) or None
        return self._deps.asrun.start(
            self.channel_number,
            None if item is None else item.event_id,
            None if item is None or slot.action != "file" else item.asset_id,
            self._wall_at(start),
            slot.status,
            reason,
        )


def _by_mode(slot: Slot) -> bool:
    """Whether `slot` airs because of the director's mode (not because of the schedule)."""
    return slot.action == "emergency" or (slot.action == "guide" and slot.reason == GUIDE_MODE)


def _follows(slot: Slot, state: DirectorState) -> bool:
    """Whether `slot` may stay on air in the director's mode `state`."""
    if state.mode == "normal":
        return not _by_mode(slot)
    return slot.action == state.mode


class _SignedOff(Exception):
    """The channel left the air (removed or deactivated); its playout has ended."""
