"""Syncing a media server's libraries into the library, reading only what changed.

The survey names every item the server lists with its change token; an item the library
holds in that version is skipped unread and unprobed, everything else is read (in batches,
by the server's client) and recorded, and what the server no longer lists is gone. The caller
owns the transaction: a server that fails part way leaves the library as it was, sync marker
included.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from retrovue.domain.ingest import Observation, record
from retrovue.domain.markers import from_chapters
from retrovue.domain.models import MediaItem, ProviderRef, Source
from retrovue.domain.paths import PathResolver
from retrovue.domain.probe import probe
from retrovue.domain.sources.media_server import TIMEOUT_S, MediaServer, ServerItem
from retrovue.domain.sources.mediabrowser import EmbyClient, JellyfinClient
from retrovue.domain.sources.plex import PlexClient
from retrovue.errors import MediaError, ValidationError

if TYPE_CHECKING:
    from retrovue.domain.sync import Progress, SyncReport

ServerFactory = Callable[[Source], MediaServer]


def connect(source: Source, timeout: float = TIMEOUT_S) -> MediaServer:
    """The client for a source's server, with its stored URL and key."""
    if not source.url or not source.token:
        raise ValidationError(f"source {source.name} has no URL or key", "url")
    if source.type == "plex":
        return PlexClient(source.url, source.token, timeout=timeout)
    if source.type == "jellyfin":
        return JellyfinClient(source.url, source.token, timeout=timeout)
    if source.type == "emby":
        return EmbyClient(source.url, source.token, timeout=timeout)
    raise ValidationError(f"source {source.name} is not a media server ({source.type})", "type")


@dataclass(frozen=True)
class _Held:
    id: int
    path: str
    soft_deleted: bool
    key: str | None
    version: str | None


def _held(session: Session, source: Source) -> list[_Held]:
    """Every item of the source with the server's key and change token, in one query."""
    query = (
        select(
            MediaItem.id,
            MediaItem.path,
            MediaItem.soft_deleted,
            ProviderRef.key,
            ProviderRef.version,
            ProviderRef.updated_at,
        )
        .outerjoin(
            ProviderRef,
            and_(ProviderRef.item_id == MediaItem.id, ProviderRef.provider == source.type),
        )
        .where(MediaItem.source_id == source.id)
        .order_by(MediaItem.soft_deleted.desc(), MediaItem.id)
    )
    found = []
    for item_id, path, deleted, key, version, updated_at in session.execute(query):
        # Rows synced before change tokens were kept have Plex's updatedAt alone.
        token = version if version is not None else (str(updated_at) if updated_at else None)
        found.append(_Held(item_id, path, deleted, key, token))
    return found


def sync_server(
    session: Session,
    source: Source,
    report: SyncReport,
    notify: Progress,
    factory: ServerFactory = connect,
) -> None:
    held = _held(session, source)
    # A live row wins over a withdrawn one for the same key (the order puts it last).
    by_key = {h.key: h for h in held if h.key is not None}
    by_path = {h.path: h for h in held}
    counts = report.counts
    server = factory(source)
    try:
        survey = server.survey([str(n) for n in source.libraries], source.sync_marker)
        counts.seen = len(survey.versions)
        listed: set[str] = set()
        wanted: list[str] = []
        for key, version in survey.versions.items():
            known = by_key.get(key)
            if known is None or not version or known.version != version:
                wanted.append(key)
                continue
            listed.add(known.path)
            counts.skipped += 1
            if known.soft_deleted:
                _returned(session, report, known.id)
        counts.to_probe = len(wanted)
        notify(counts)
        resolver = PathResolver.of((m.from_path, m.to_path) for m in source.mappings)
        for found in server.read(wanted):
            if found.path in listed:
                continue  # two of the server's items name one file: the first stands
            listed.add(found.path)
            _record(session, source, report, by_path.get(found.path), found, resolver)
            notify(counts)
        gone = [h.id for h in held if not h.soft_deleted and h.path not in listed]
        if gone:
            session.execute(
                update(MediaItem).where(MediaItem.id.in_(gone)).values(soft_deleted=True)
            )
        report.vanished_ids.extend(gone)
        counts.vanished += len(gone)
        source.sync_marker = survey.marker
    finally:
        server.close()


def _record(
    session: Session,
    source: Source,
    report: SyncReport,
    known: _Held | None,
    found: ServerItem,
    resolver: PathResolver,
) -> None:
    counts = report.counts
    seen = _observe(found, resolver, source.type)
    if seen.error is not None:
        counts.failed += 1
        report.failures.append({"path": found.path, "error": seen.error})
    else:
        counts.probed += 1
    if known is not None and known.soft_deleted:
        report.returned_ids.append(known.id)
        counts.returned += 1
    row = record(session, source, known.id if known else None, seen)
    _stamp(row, source.type, found)
    if known is None:
        counts.added += 1
    else:
        counts.updated += 1
        report.changed_ids.append(known.id)


def _observe(found: ServerItem, resolver: PathResolver, provider: str) -> Observation:
    """What the server says of the file; a file it has not analysed yet (no video stream
    reported) is probed here when the path mapping reaches it."""
    technical, error, markers = found.technical, None, list(found.markers)
    if technical.video_codec is None:
        local = resolver.resolve(found.path)
        if os.path.isfile(local):
            try:
                technical = probe(local)
                markers = markers or from_chapters(technical.chapters, technical.duration_ms)
            except MediaError as failure:
                error = str(failure)
    updated_at = int(found.version) if provider == "plex" and found.version.isdigit() else None
    return Observation(
        found.path,
        found.size,
        0,
        technical if error is None else None,
        error,
        found.editorial,
        markers,
        (provider, found.key[:200], updated_at),
    )


def _stamp(row: MediaItem, provider: str, found: ServerItem) -> None:
    """The server's change token, and the programme's ids in other catalogues."""
    refs = {r.provider: r for r in row.provider_refs}
    refs[provider].version = found.version[:200]
    for name, value in found.external_ids:
        if name == provider:
            continue
        if name in refs:
            refs[name].key = value
        else:
            row.provider_refs.append(ProviderRef(provider=name, key=value))


def _returned(session: Session, report: SyncReport, item_id: int) -> None:
    session.execute(update(MediaItem).where(MediaItem.id == item_id).values(soft_deleted=False))
    report.returned_ids.append(item_id)
    report.counts.returned += 1
