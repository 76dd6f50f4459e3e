"""TemplateAdminService: the only write path to templates and their blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.infra.admin_services.blocks import overlaps
from retrovue.infra.admin_services.channels import check_template_fits, find_template
from retrovue.infra.admin_services.parsing import format_clock
from retrovue.infra.admin_services.views import block_view, template_view
from retrovue.infra.db import Database
from retrovue.schedule_manager.models import (
    Channel,
    RuleV1,
    ScheduleDay,
    Template,
    TemplateBlock,
)


@dataclass(frozen=True)
class TemplateAdminService:
    db: Database

    def create_template(self, name: str, description: str | None = None) -> dict[str, Any]:
        if not name.strip():
            raise ValidationError("template name must not be empty", "name")
        with self.db.transaction() as session:
            if session.scalar(select(Template.id).where(Template.name == name.strip())):
                raise ConflictError(f"template {name.strip()!r} already exists")
            template = Template(name=name.strip(), description=description)
            session.add(template)
            session.flush()
            return template_view(template)

    def remove_template(self, name: str) -> None:
        with self.db.transaction() as session:
            template = find_template(session, name)
            assigned = session.scalar(
                select(ScheduleDay.day).where(ScheduleDay.template_id == template.id).limit(1)
            )
            if assigned is not None:
                raise ConflictError(
                    f"template {name!r} is assigned to broadcast days (first {assigned});"
                    " assign another template to them first"
                )
            for channel in session.scalars(
                select(Channel).where(Channel.default_template_id == template.id)
            ):
                channel.default_template_id = None
            session.delete(template)

    def list_templates(self) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            templates = session.scalars(
                select(Template).options(selectinload(Template.blocks)).order_by(Template.name)
            )
            return [template_view(t) for t in templates]

    def get_template(self, name: str) -> dict[str, Any]:
        with self.db.reading() as session:
            return template_view(find_template(session, name))

    def add_block(
        self, template: str, start_minutes: int, end_minutes: int, rule: object
    ) -> dict[str, Any]:
        """Add a block; the rule must be valid rule_json v1 and the block must not overlap."""
        parsed = RuleV1.parse(rule)
        with self.db.transaction() as session:
            row = find_template(session, template)
            for other in row.blocks:
                if overlaps((start_minutes, end_minutes), (other.start_minutes, other.end_minutes)):
                    raise ValidationError(
                        f"block {format_clock(start_minutes)}-{format_clock(end_minutes)}"
                        f" overlaps block {format_clock(other.start_minutes)}-"
                        f"{format_clock(other.end_minutes)} of template {template!r}",
                        "block",
                    )
            block = TemplateBlock(
                start_minutes=start_minutes, end_minutes=end_minutes, rule_json=parsed.to_json()
            )
            row.blocks.append(block)
            # A template already in use must still fit the grid of every channel using it.
            for channel in _channels_using(session, row):
                check_template_fits(channel, row)
            session.flush()
            return block_view(block)

    def remove_block(self, template: str, start_minutes: int) -> None:
        with self.db.transaction() as session:
            row = find_template(session, template)
            for block in row.blocks:
                if block.start_minutes == start_minutes:
                    row.blocks.remove(block)
                    return
            raise NotFoundError(
                "block", f"starting {format_clock(start_minutes)} in template {template!r}"
            )


def _channels_using(session: Session, template: Template) -> list[Channel]:
    assigned = select(ScheduleDay.channel_id).where(ScheduleDay.template_id == template.id)
    return list(
        session.scalars(
            select(Channel).where(
                (Channel.default_template_id == template.id) | Channel.id.in_(assigned)
            )
        )
    )
