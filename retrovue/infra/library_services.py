"""LibraryService: sources, sync, and library items, each call one unit of work."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from retrovue.domain import review as library_review
from retrovue.domain.models import (
    ITEM_KINDS,
    SERVER_TYPES,
    SOURCE_TYPES,
    STATES,
    EditorialMetadata,
    MediaItem,
    PathMapping,
    Source,
    SourcePath,
)
from retrovue.domain.sources.server_sync import ServerFactory, connect
from retrovue.domain.sync import Progress, sync_source
from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.infra.admin_services.promotion import (
    refresh_changed,
    restore_returned,
    withdraw_vanished,
)
from retrovue.infra.db import Database
from retrovue.infra.library_views import item_detail, item_view, source_view
from retrovue.infra.limits import check_text

log = logging.getLogger("retrovue.library")

SOURCE_NAME_LENGTH = 200  # library_source.name
PRODUCTS: Final = {"plex": "Plex", "jellyfin": "Jellyfin", "emby": "Emby"}


def check_server_url(raw: str) -> str:
    """A media server's address: http(s), a host, a valid port, nothing else around it."""
    url = raw.strip()
    problem = f"--url must be an http:// or https:// address such as http://host:8096, not {raw!r}"
    if len(url) > 2000 or any(c.isspace() or not c.isprintable() for c in url):
        raise ValidationError(problem, "url")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise ValidationError(problem, "url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValidationError(problem, "url")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(f"--url takes the server's address alone, not {raw!r}", "url")
    return url.rstrip("/")


@dataclass(frozen=True)
class LibraryService:
    db: Database
    server_factory: ServerFactory = field(default=connect)

    def add_source(
        self,
        name: str,
        type: str,
        paths: Sequence[str] = (),
        kind: str = "program",
        tags: Sequence[str] = (),
        url: str | None = None,
        token: str | None = None,
        libraries: Sequence[str] = (),
    ) -> dict[str, Any]:
        if not check_text(name, "name", SOURCE_NAME_LENGTH).strip():
            raise ValidationError("source name must not be empty", "name")
        for value in (*paths, *tags, *libraries, token or ""):  # the URL is checked below
            check_text(value, "source")
        if type not in SOURCE_TYPES:
            raise ValidationError(f"type must be one of {', '.join(SOURCE_TYPES)}", "type")
        if kind not in ITEM_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(ITEM_KINDS)}", "kind")
        roots = [str(Path(p).expanduser().resolve()) for p in paths]
        if type == "filesystem":
            if not roots:
                raise ValidationError("a filesystem source needs at least one --path", "path")
            for root in roots:
                if not Path(root).is_dir():
                    raise ValidationError(f"folder not found: {root}", "path")
        elif type in SERVER_TYPES:
            key = "--token" if type == "plex" else "--api-key"
            if not (url and token and token.strip()):
                product = PRODUCTS[type]
                article = "an" if product[0] in "AEIOU" else "a"
                raise ValidationError(f"{article} {product} source needs --url and {key}", "url")
            url = check_server_url(url)
        with self.db.transaction() as session:
            if session.scalar(select(Source.id).where(Source.name == name)) is not None:
                raise ConflictError(f"source {name} already exists")
            source = Source(
                name=name,
                type=type,
                default_kind=kind,
                tags=list(tags),
                url=url.rstrip("/") if url else None,
                token=token,
                libraries=list(libraries),
                paths=[SourcePath(path=r) for r in dict.fromkeys(roots)],
            )
            session.add(source)
            session.flush()
            return source_view(source, {})

    def list_sources(self) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            sources = session.scalars(select(Source).order_by(Source.name)).all()
            return [source_view(s, _state_counts(session, s.id)) for s in sources]

    def get_source(self, name: str) -> dict[str, Any]:
        with self.db.reading() as session:
            source = _source(session, name)
            return source_view(source, _state_counts(session, source.id))

    def remove_source(self, name: str) -> None:
        """Forget a source and its library items; catalog rows already promoted stay."""
        with self.db.transaction() as session:
            session.delete(_source(session, name))

    def map_path(self, name: str, from_path: str, to_path: str) -> dict[str, Any]:
        if not check_text(from_path, "from").strip() or not check_text(to_path, "to").strip():
            raise ValidationError("--from and --to must not be empty", "from")
        with self.db.transaction() as session:
            source = _source(session, name)
            for mapping in source.mappings:
                if mapping.from_path == from_path:
                    mapping.to_path = to_path
                    break
            else:
                source.mappings.append(PathMapping(from_path=from_path, to_path=to_path))
            session.flush()
            return source_view(source, _state_counts(session, source.id))

    def sync(
        self, name: str, dry_run: bool = False, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Sync a source; in the same transaction catalog rows from vanished media are
        withdrawn and those from changed files refreshed (off air if the file now fails QC).
        A dry run does all the work and then rolls it back."""
        with self.db.transaction() as session:
            source = _source(session, name)
            report = sync_source(
                session, source, progress=progress, server_factory=self.server_factory
            )
            for path in report.unreadable:
                log.warning("could not read %s; its items are left as they were", path)
            withdrawn = withdraw_vanished(session, report.vanished_ids)
            restored = restore_returned(session, report.returned_ids)
            refreshed = refresh_changed(session, report.changed_ids)
            if dry_run:
                session.rollback()
        return {
            **report.to_json(),
            "withdrawn": withdrawn,
            "restored": restored,
            "refreshed": refreshed,
            "dry_run": dry_run,
        }

    def list_items(
        self,
        source: str | None = None,
        status: str | None = None,
        series: str | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        if status is not None and status not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}", "status")
        with self.db.reading() as session:
            query = (
                select(MediaItem)
                .options(selectinload(MediaItem.meta), selectinload(MediaItem.source))
                .order_by(MediaItem.id)
            )
            if source is not None:
                query = query.where(MediaItem.source_id == _source(session, source).id)
            if status is not None:
                query = query.where(MediaItem.state == status)
            if series is not None:
                query = query.join(EditorialMetadata).where(EditorialMetadata.series == series)
            if not include_deleted:
                query = query.where(~MediaItem.soft_deleted)
            return [item_view(i) for i in session.scalars(query)]

    def get_item(self, item_id: int) -> dict[str, Any]:
        with self.db.reading() as session:
            return item_detail(library_review.get_item(session, item_id))

    def review_item(self, item_id: int, approve: bool, notes: str | None) -> dict[str, Any]:
        with self.db.transaction() as session:
            item = library_review.review(session, item_id, approve, notes)
            session.flush()
            return item_detail(item)


def _source(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFoundError("source", name)
    return source


def _state_counts(session: Session, source_id: int) -> dict[str, int]:
    rows = session.execute(
        select(MediaItem.state, func.count())
        .where(MediaItem.source_id == source_id, ~MediaItem.soft_deleted)
        .group_by(MediaItem.state)
    )
    return {state: count for state, count in rows}
