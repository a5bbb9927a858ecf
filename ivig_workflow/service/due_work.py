"""Is anything due? Two index-only probes the clock asks before it starts a flow run,
so that the dashboard shows runs that did work instead of thousands of empty ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, exists, or_
from sqlmodel import col, select

from ivig_workflow.db.statuses import OutboxStatus
from ivig_workflow.db.tables import CourseRow, OutboxRow
from ivig_workflow.service.unit_of_work import reading


def courses_due(engine: Engine, now: datetime, centre: str | None = None) -> bool:
    query = select(CourseRow.id).where(col(CourseRow.next_due_at) <= now)
    if centre is not None:
        query = query.where(col(CourseRow.centre_slug) == centre)
    with reading(engine) as session:
        return bool(session.scalar(select(exists(query))))


def notifications_due(engine: Engine, now: datetime) -> bool:
    query = select(OutboxRow.id).where(
        col(OutboxRow.status) == OutboxStatus.PENDING,
        or_(col(OutboxRow.next_attempt_at).is_(None), col(OutboxRow.next_attempt_at) <= now),
    )
    with reading(engine) as session:
        return bool(session.scalar(select(exists(query))))
