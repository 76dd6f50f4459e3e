"""An MPEG-TS analyser of our own: PCR and PSI repetition, SDT names, and when each PES arrives.

Arrival is judged as a decoder's system clock would: the time of a byte is interpolated
between the PCRs around it (ISO/IEC 13818-1, 2.4.2.2), and a PES counts as arrived when its
last byte has.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

PACKET = 188
PAT_PID = 0x0000
SDT_PID = 0x0011
PCR_HZ = 27_000_000
PTS_HZ = 90_000


@dataclass
class _Pes:
    pid: int
    pts: int
    last_packet: int = 0


@dataclass
class TransportReport:
    """What the checks read; times in seconds, margins as PTS minus arrival."""

    packets: int = 0
    pcr_pid: int | None = None
    service_name: str | None = None
    provider_name: str | None = None
    pcr_intervals: list[float] = field(default_factory=list)
    pat_intervals: list[float] = field(default_factory=list)
    pmt_intervals: list[float] = field(default_factory=list)
    margins: dict[str, list[float]] = field(default_factory=dict)
    continuity_errors: int = 0

    def worst_margin(self, kind: str) -> float:
        return min(self.margins[kind])


def _pts(data: bytes) -> int:
    return (
        ((data[0] >> 1) & 0x07) << 30
        | data[1] << 22
        | (data[2] >> 1) << 15
        | data[3] << 7
        | data[4] >> 1
    )


def _sections(payload: bytes, unit_start: bool) -> bytes | None:
    """The section a PSI packet opens (sections here fit one packet, as our muxer writes them)."""
    if not unit_start or not payload:
        return None
    pointer = payload[0]
    return payload[1 + pointer :]


def _text(raw: bytes) -> str:
    if raw[:1] == b"\x15":
        return raw[1:].decode("utf-8")
    if raw[:1] and raw[0] < 0x20:
        return raw[1:].decode("latin-1")
    return raw.decode("latin-1")


class _Reader:
    def __init__(self) -> None:
        self.report = TransportReport()
        self.pmt_pid: int | None = None
        self.kinds: dict[int, str] = {}
        self.pcrs: list[tuple[int, int]] = []  # (packet index, PCR in 27 MHz ticks)
        self.pat_at: list[int] = []
        self.pmt_at: list[int] = []
        self.open_pes: dict[int, _Pes] = {}
        self.done_pes: list[tuple[str, _Pes]] = []
        self.counters: dict[int, int] = {}

    def packet(self, index: int, data: bytes) -> None:
        pid = ((data[1] & 0x1F) << 8) | data[2]
        unit_start = bool(data[1] & 0x40)
        control = (data[3] >> 4) & 0x3
        counter = data[3] & 0xF
        body = 4
        if control & 0x2:
            length = data[4]
            if length and data[5] & 0x10 and pid == self.report.pcr_pid:
                b = data[6:12]
                base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
                extension = (b[4] & 0x1) << 8 | b[5]
                self.pcrs.append((index, base * 300 + extension))
            body = 5 + length
        if control & 0x1:
            previous = self.counters.get(pid)
            if previous is not None and counter != (previous + 1) % 16:
                self.report.continuity_errors += 1
            self.counters[pid] = counter
        payload = data[body:] if control & 0x1 else b""
        if pid == PAT_PID:
            self._pat(index, _sections(payload, unit_start))
        elif pid == self.pmt_pid:
            self._pmt(index, _sections(payload, unit_start))
        elif pid == SDT_PID:
            self._sdt(_sections(payload, unit_start))
        elif pid in self.kinds:
            self._pes(index, pid, payload, unit_start)

    def _pat(self, index: int, section: bytes | None) -> None:
        if section is None:
            return
        self.pat_at.append(index)
        length = ((section[1] & 0x0F) << 8) | section[2]
        entries = section[8 : 3 + length - 4]
        for at in range(0, len(entries), 4):
            program = (entries[at] << 8) | entries[at + 1]
            if program != 0:
                self.pmt_pid = ((entries[at + 2] & 0x1F) << 8) | entries[at + 3]

    def _pmt(self, index: int, section: bytes | None) -> None:
        if section is None:
            return
        self.pmt_at.append(index)
        length = ((section[1] & 0x0F) << 8) | section[2]
        self.report.pcr_pid = ((section[8] & 0x1F) << 8) | section[9]
        info = ((section[10] & 0x0F) << 8) | section[11]
        at, end = 12 + info, 3 + length - 4
        while at + 5 <= end:
            stream_type = section[at]
            pid = ((section[at + 1] & 0x1F) << 8) | section[at + 2]
            es_info = ((section[at + 3] & 0x0F) << 8) | section[at + 4]
            self.kinds[pid] = "video" if stream_type in (0x1B, 0x24, 0x02) else "audio"
            at += 5 + es_info

    def _sdt(self, section: bytes | None) -> None:
        if section is None or section[0] != 0x42:
            return
        length = ((section[1] & 0x0F) << 8) | section[2]
        at, end = 11, 3 + length - 4
        while at + 5 <= end:
            loop = ((section[at + 3] & 0x0F) << 8) | section[at + 4]
            descriptors = section[at + 5 : at + 5 + loop]
            d = 0
            while d + 2 <= len(descriptors):
                tag, size = descriptors[d], descriptors[d + 1]
                if tag == 0x48:  # service descriptor
                    body = descriptors[d + 2 : d + 2 + size]
                    provider_len = body[1]
                    provider = body[2 : 2 + provider_len]
                    name_len = body[2 + provider_len]
                    name = body[3 + provider_len : 3 + provider_len + name_len]
                    self.report.provider_name = _text(provider)
                    self.report.service_name = _text(name)
                d += 2 + size
            at += 5 + loop

    def _pes(self, index: int, pid: int, payload: bytes, unit_start: bool) -> None:
        if unit_start:
            ended = self.open_pes.pop(pid, None)
            if ended is not None:
                self.done_pes.append((self.kinds[pid], ended))
            if payload[:3] == b"\x00\x00\x01" and payload[7] & 0x80:
                self.open_pes[pid] = _Pes(pid, _pts(payload[9:14]), index)
        elif pid in self.open_pes:
            self.open_pes[pid].last_packet = index

    def finish(self) -> TransportReport:
        report = self.report
        pcrs = self.pcrs
        report.pcr_intervals = [(b - a) / PCR_HZ for (_, a), (_, b) in itertools.pairwise(pcrs)]
        report.pat_intervals = self._intervals(self.pat_at)
        report.pmt_intervals = self._intervals(self.pmt_at)
        for kind, pes in self.done_pes:
            arrival = self._time_of(pes.last_packet)
            if arrival is None:
                continue
            margin = pes.pts / PTS_HZ - arrival
            report.margins.setdefault(kind, []).append(margin)
        return report

    def _time_of(self, index: int) -> float | None:
        """The system clock at packet `index`, between the PCRs around it; None outside them."""
        pcrs = self.pcrs
        low, high = 0, len(pcrs) - 1
        if not pcrs or index < pcrs[0][0] or index > pcrs[-1][0]:
            return None
        while high - low > 1:
            middle = (low + high) // 2
            if pcrs[middle][0] <= index:
                low = middle
            else:
                high = middle
        (i0, p0), (i1, p1) = pcrs[low], pcrs[high]
        if i1 == i0:
            return p0 / PCR_HZ
        return (p0 + (p1 - p0) * (index - i0) / (i1 - i0)) / PCR_HZ

    def _intervals(self, indices: list[int]) -> list[float]:
        times = [t for t in (self._time_of(i) for i in indices) if t is not None]
        return [b - a for a, b in itertools.pairwise(times)]


def analyse_transport(path: Path) -> TransportReport:
    """Read a capture of the channel stream (it may start and end mid-packet)."""
    data = path.read_bytes()
    start = next(
        i for i in range(PACKET) if all(data[j] == 0x47 for j in range(i, len(data), PACKET)[:8])
    )
    reader = _Reader()
    index = 0
    for offset in range(start, len(data) - PACKET + 1, PACKET):
        packet = data[offset : offset + PACKET]
        if packet[0] != 0x47:
            raise ValueError(f"lost sync at byte {offset}")
        reader.packet(index, packet)
        index += 1
    reader.report.packets = index
    return reader.finish()
