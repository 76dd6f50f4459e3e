"""Sync orchestration: discover, probe, enrich, QC and record a source's media.

The caller owns the session and its transaction; the sync reports which items vanished or
came back so that the broadcast side can be told in the same transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from retrovue.domain.ingest import Observation, record
from retrovue.domain.markers import from_chapters
from retrovue.domain.models import SERVER_TYPES, MediaItem, ProviderRef, Source
from retrovue.domain.nfo import SidecarReader
from retrovue.domain.sources.filesystem import Examined, examine, scan
from retrovue.domain.sources.server_sync import ServerFactory, connect, sync_server
from retrovue.errors import ValidationError

# PyAV releases the GIL while it demuxes, so threads overlap the I/O and parsing of probes;
# more workers than cores only adds contention (measured in bench/ingest.py).
DEFAULT_WORKERS: Final = max(2, os.cpu_count() or 2)


@dataclass
class SyncCounts:
    """Running totals, handed to the progress callback as they change."""

    seen: int = 0
    to_probe: int = 0
    probed: int = 0
    skipped: int = 0
    failed: int = 0
    added: int = 0
    updated: int = 0
    vanished: int = 0
    returned: int = 0


Progress = Callable[[SyncCounts], None]


@dataclass
class SyncReport:
    source: str
    counts: SyncCounts
    vanished_ids: list[int] = field(default_factory=list)
    returned_ids: list[int] = field(default_factory=list)
    # Known items whose file (or media server record) changed and was read again.
    changed_ids: list[int] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            **asdict(self.counts),
            "vanished_ids": self.vanished_ids,
            "returned_ids": self.returned_ids,
            "changed_ids": self.changed_ids,
            "failures": self.failures,
            "missing_roots": self.missing_roots,
            "unreadable": self.unreadable,
        }


@dataclass(frozen=True)
class _Known:
    id: int
    size: int
    mtime_ns: int
    soft_deleted: bool
    updated_at: int | None


def _known(session: Session, source: Source) -> dict[str, _Known]:
    """path -> what the library holds, in one query (the whole cost of an unchanged re-sync)."""
    query = (
        select(
            MediaItem.path,
            MediaItem.id,
            MediaItem.size,
            MediaItem.mtime_ns,
            MediaItem.soft_deleted,
            ProviderRef.updated_at,
        )
        .outerjoin(
            ProviderRef,
            and_(ProviderRef.item_id == MediaItem.id, ProviderRef.provider == "plex"),
        )
        .where(MediaItem.source_id == source.id)
    )
    return {row[0]: _Known(*row[1:]) for row in session.execute(query)}


def sync_source(
    session: Session,
    source: Source,
    *,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
    server_factory: ServerFactory = connect,
) -> SyncReport:
    """Bring the library's record of `source` in line with what is there now."""
    report = SyncReport(source.name, SyncCounts())
    notify = progress or (lambda _counts: None)
    if source.type == "filesystem":
        _sync_files(session, source, report, workers, notify)
    elif source.type in SERVER_TYPES:
        sync_server(session, source, report, notify, server_factory)
    else:
        raise ValidationError(f"source {source.name} has unknown type {source.type!r}")
    session.flush()
    notify(report.counts)
    return report


def _sync_files(
    session: Session, source: Source, report: SyncReport, workers: int, notify: Progress
) -> None:
    known = _known(session, source)
    found = scan(p.path for p in source.paths)
    counts = report.counts
    counts.seen = len(found.files)
    report.missing_roots = list(found.missing_roots)
    report.unreadable = list(found.unreadable)
    pending: list[str] = []
    for path, stat in found.files.items():
        held = known.get(path)
        if held is None or (held.size, held.mtime_ns) != (stat.size, stat.mtime_ns):
            pending.append(path)
        elif held.soft_deleted:
            _mark_returned(session, report, held.id)
        else:
            counts.skipped += 1
    counts.to_probe = len(pending)
    notify(counts)
    sidecars = SidecarReader(found.nfos)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(examine, path, sidecars) for path in pending]
        for future in as_completed(futures):
            done: Examined = future.result()
            stat = found.files[done.path]
            held = known.get(done.path)
            if held is not None and held.soft_deleted:
                report.returned_ids.append(held.id)
                counts.returned += 1
            _record_examined(session, source, report, held, done, stat.size, stat.mtime_ns)
            notify(counts)
    gone = [
        k.id
        for path, k in known.items()
        if not k.soft_deleted and path not in found.files and not found.unseen(path)
    ]
    _mark_vanished(session, report, gone)


def _record_examined(
    session: Session,
    source: Source,
    report: SyncReport,
    held: _Known | None,
    done: Examined,
    size: int,
    mtime_ns: int,
) -> None:
    counts = report.counts
    if done.error is not None:
        counts.failed += 1
        report.failures.append({"path": done.path, "error": done.error})
    else:
        counts.probed += 1
    markers = from_chapters(done.probe.chapters, done.probe.duration_ms) if done.probe else []
    seen = Observation(done.path, size, mtime_ns, done.probe, done.error, done.editorial, markers)
    record(session, source, held.id if held else None, seen)
    if held is None:
        counts.added += 1
    else:
        counts.updated += 1
        report.changed_ids.append(held.id)


def _mark_returned(session: Session, report: SyncReport, item_id: int) -> None:
    session.execute(update(MediaItem).where(MediaItem.id == item_id).values(soft_deleted=False))
    report.returned_ids.append(item_id)
    report.counts.returned += 1
    report.counts.skipped += 1


def _mark_vanished(session: Session, report: SyncReport, ids: Iterable[int]) -> None:
    gone = list(ids)
    if gone:
        session.execute(update(MediaItem).where(MediaItem.id.in_(gone)).values(soft_deleted=True))
    report.vanished_ids.extend(gone)
    report.counts.vanished += len(gone)
