"""ChannelAdminService: the only write path to `broadcast_channel`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.infra.admin_services.blocks import check_fits_channel
from retrovue.infra.admin_services.parsing import check_timezone
from retrovue.infra.admin_services.presentation import (
    OPTIONS,
    apply,
    checked,
    presentation_view,
)
from retrovue.infra.admin_services.views import channel_view
from retrovue.infra.db import Database
from retrovue.schedule_manager.models import CHANNEL_KINDS, Channel, ScheduleDay, Template

GRID_SIZES = (15, 30, 60)
MAX_NUMBER = 99_999
MAX_NAME = 200


def _check_identity(number: int | None, name: str | None) -> None:
    if number is not None and not 1 <= number <= MAX_NUMBER:
        raise ValidationError(
            f"channel number must be between 1 and {MAX_NUMBER}, not {number}", "number"
        )
    if name is not None:
        if not name.strip():
            raise ValidationError("channel name must not be empty", "name")
        if len(name.strip()) > MAX_NAME:
            raise ValidationError(f"channel name must be at most {MAX_NAME} characters", "name")


UNSET: Any = object()


def _view(channel: Channel) -> dict[str, Any]:
    return {**channel_view(channel), **presentation_view(channel)}


def find_channel(session: Session, number: int) -> Channel:
    in_range = 1 <= number <= MAX_NUMBER
    channel = session.scalar(select(Channel).where(Channel.number == number)) if in_range else None
    if channel is None:
        raise NotFoundError("channel", number)
    return channel


def find_template(session: Session, name: str) -> Template:
    template = session.scalar(
        select(Template).where(Template.name == name).options(selectinload(Template.blocks))
    )
    if template is None:
        raise NotFoundError("template", repr(name))
    return template


def _check_grid(grid: int, offset: int, rollover: int) -> None:
    if grid not in GRID_SIZES:
        raise ValidationError(f"grid size must be 15, 30 or 60 minutes, not {grid}", "grid_size")
    if not 0 <= offset < grid:
        raise ValidationError(
            f"grid offset must be at least 0 and under the grid size {grid}, not {offset}",
            "grid_offset",
        )
    if (rollover - offset) % grid:
        raise ValidationError(
            f"rollover must fall on the {grid}-minute grid with offset {offset}", "rollover"
        )


def check_template_fits(channel: Channel, template: Template) -> None:
    check_fits_channel(
        [(b.start_minutes, b.end_minutes) for b in template.blocks],
        channel.grid_size_minutes,
        channel.grid_offset_minutes,
        channel.rollover_minutes,
        f"template {template.name!r} on channel {channel.number}",
    )


def _templates_of(session: Session, channel: Channel) -> list[Template]:
    """The channel's default template and every template assigned to one of its days."""
    assigned = select(ScheduleDay.template_id).where(ScheduleDay.channel_id == channel.id)
    found = session.scalars(
        select(Template)
        .where(Template.id.in_(assigned))
        .options(selectinload(Template.blocks))
        .order_by(Template.name)
    ).all()
    default = [channel.default_template] if channel.default_template is not None else []
    return list({t.id: t for t in (*default, *found)}.values())


@dataclass(frozen=True)
class ChannelAdminService:
    db: Database

    def create_channel(
        self,
        number: int,
        name: str,
        timezone: str = "UTC",
        grid_size: int = 30,
        grid_offset: int = 0,
        rollover_minutes: int = 360,
        group: str | None = None,
        logo: str | None = None,
        default_template: str | None = None,
        kind: str = "linear",
        **presentation: Any,
    ) -> dict[str, Any]:
        """Create a channel; `presentation` takes the options of `presentation.OPTIONS`."""
        _check_identity(number, name)
        _check_kind(kind, default_template)
        looks = checked(presentation)
        check_timezone(timezone)
        _check_grid(grid_size, grid_offset, rollover_minutes)
        with self.db.transaction() as session:
            if session.scalar(select(Channel.id).where(Channel.number == number)) is not None:
                raise ConflictError(f"channel number {number} is already taken")
            channel = Channel(
                number=number,
                name=name.strip(),
                timezone=timezone,
                grid_size_minutes=grid_size,
                grid_offset_minutes=grid_offset,
                rollover_minutes=rollover_minutes,
                group_title=group,
                logo=logo,
                active=True,
                kind=kind,
                **looks,
            )
            if default_template is not None:
                channel.default_template = find_template(session, default_template)
                check_template_fits(channel, channel.default_template)
            session.add(channel)
            session.flush()
            return _view(channel)

    def update_channel(self, number: int, **changes: Any) -> dict[str, Any]:
        """Change any of: name, timezone, grid_size, grid_offset, rollover_minutes, group,
        logo, active, default_template (a name, or "" to clear), new_number, and the
        presentation options (`presentation.OPTIONS`)."""
        with self.db.transaction() as session:
            channel = find_channel(session, number)
            apply(channel, {k: v for k, v in changes.items() if k in OPTIONS})
            _check_identity(changes.get("new_number"), changes.get("name"))
            if changes.get("name") is not None:
                channel.name = changes["name"].strip()
            if changes.get("timezone") is not None:
                channel.timezone = check_timezone(changes["timezone"])
            for key, column in (
                ("grid_size", "grid_size_minutes"),
                ("grid_offset", "grid_offset_minutes"),
                ("rollover_minutes", "rollover_minutes"),
                ("group", "group_title"),
                ("logo", "logo"),
                ("active", "active"),
            ):
                if changes.get(key) is not None:
                    setattr(channel, column, changes[key])
            _check_grid(
                channel.grid_size_minutes, channel.grid_offset_minutes, channel.rollover_minutes
            )
            new_number = changes.get("new_number")
            if new_number is not None and new_number != number:
                taken = session.scalar(select(Channel.id).where(Channel.number == new_number))
                if taken is not None:
                    raise ConflictError(f"channel number {new_number} is already taken")
                channel.number = new_number
            template_name = changes.get("default_template")
            if template_name == "":
                channel.default_template = None
            elif template_name is not None:
                if channel.kind == "guide":
                    raise ValidationError(_GUIDE_HAS_NO_TEMPLATE, "default_template")
                channel.default_template = find_template(session, template_name)
            for template in _templates_of(session, channel):
                check_template_fits(channel, template)
            session.flush()
            return _view(channel)

    def remove_channel(self, number: int) -> None:
        with self.db.transaction() as session:
            session.delete(find_channel(session, number))

    def list_channels(self) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            channels = session.scalars(
                select(Channel)
                .options(selectinload(Channel.default_template))
                .order_by(Channel.number)
            )
            return [_view(c) for c in channels]

    def get_channel(self, number: int) -> dict[str, Any]:
        with self.db.reading() as session:
            return _view(find_channel(session, number))


_GUIDE_HAS_NO_TEMPLATE = "a guide channel shows the TV guide: it takes no template"


def _check_kind(kind: str, default_template: str | None) -> None:
    if kind not in CHANNEL_KINDS:
        raise ValidationError(
            f"channel type must be one of {', '.join(CHANNEL_KINDS)}, not {kind!r}", "type"
        )
    if kind == "guide" and default_template is not None:
        raise ValidationError(_GUIDE_HAS_NO_TEMPLATE, "default_template")
