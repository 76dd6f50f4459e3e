"""ScheduleAdminService: the only write path to `broadcast_schedule_day`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from retrovue.errors import ValidationError
from retrovue.infra.admin_services.blocks import uncovered_minutes
from retrovue.infra.admin_services.channels import (
    check_template_fits,
    find_channel,
    find_template,
)
from retrovue.infra.db import Database
from retrovue.schedule_manager.models import ScheduleDay

MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class ScheduleAdminService:
    db: Database

    def assign_template_for_day(self, channel: int, template: str, day: dt.date) -> dict[str, Any]:
        return self.assign_template(channel, template, day, day)

    def assign_template(
        self,
        channel: int,
        template: str,
        first: dt.date,
        last: dt.date,
        weekdays: set[int] | None = None,
    ) -> dict[str, Any]:
        """Assign `template` to the channel's broadcast days first..last (on `weekdays`).

        Returns the days assigned and warnings (template time no block covers).
        """
        if last < first:
            raise ValidationError(f"range ends ({last}) before it starts ({first})", "until")
        if (last - first).days > MAX_RANGE_DAYS:
            raise ValidationError(f"a range may span at most {MAX_RANGE_DAYS} days", "until")
        days = [
            first + dt.timedelta(days=i)
            for i in range((last - first).days + 1)
            if weekdays is None or (first + dt.timedelta(days=i)).weekday() in weekdays
        ]
        if not days:
            raise ValidationError("no day in the range falls on the given weekdays", "weekdays")
        with self.db.transaction() as session:
            channel_row = find_channel(session, channel)
            if channel_row.kind == "guide":
                raise ValidationError(
                    f"channel {channel} is a guide channel: it shows the TV guide and takes no "
                    "template assignments",
                    "channel",
                )
            template_row = find_template(session, template)
            check_template_fits(channel_row, template_row)
            existing = {
                row.day: row
                for row in session.scalars(
                    select(ScheduleDay).where(
                        ScheduleDay.channel_id == channel_row.id,
                        ScheduleDay.day.in_(days),
                    )
                )
            }
            for day in days:
                if day in existing:
                    existing[day].template_id = template_row.id
                else:
                    session.add(
                        ScheduleDay(channel_id=channel_row.id, day=day, template_id=template_row.id)
                    )
            warnings = []
            gap = uncovered_minutes((b.start_minutes, b.end_minutes) for b in template_row.blocks)
            if gap:
                warnings.append(
                    f"template {template!r} leaves {gap} minutes of the day without a block;"
                    " they air the slate"
                )
            return {
                "channel": channel,
                "template": template,
                "days": [d.isoformat() for d in days],
                "warnings": warnings,
            }

    def list_assignments(self, channel: int) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            channel_row = find_channel(session, channel)
            rows = session.scalars(
                select(ScheduleDay)
                .where(ScheduleDay.channel_id == channel_row.id)
                .order_by(ScheduleDay.day)
            )
            return [{"day": r.day.isoformat(), "template": r.template.name} for r in rows]
