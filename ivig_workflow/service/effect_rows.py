"""Work items and notifications written in the decision's own transaction.

Effect keys are deterministic, so an effect that is computed again (a retried
event, a replayed sweep) finds its key already stored and is not emitted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from ivig_workflow.db.statuses import OutboxStatus, WorkItemStatus
from ivig_workflow.db.tables import OutboxRow, WorkItemRow
from ivig_workflow.domain.effects import Notification, WorkItem


def write_effects(
    session: Session, effects: Sequence[WorkItem | Notification], now: datetime
) -> None:
    items = [effect for effect in effects if isinstance(effect, WorkItem)]
    notes = [effect for effect in effects if isinstance(effect, Notification)]
    if items:
        known = set(
            session.scalars(
                select(col(WorkItemRow.key)).where(
                    col(WorkItemRow.key).in_([item.key for item in items])
                )
            )
        )
        for item in items:
            if item.key not in known:
                known.add(item.key)
                session.add(work_item_row(item, now))
    if notes:
        known = set(
            session.scalars(
                select(col(OutboxRow.key)).where(
                    col(OutboxRow.key).in_([note.key for note in notes])
                )
            )
        )
        for note in notes:
            if note.key not in known:
                known.add(note.key)
                session.add(outbox_row(note, now))


def work_item_row(item: WorkItem, now: datetime) -> WorkItemRow:
    return WorkItemRow(
        key=item.key,
        course_id=item.course_id,
        role=item.role,
        kind=item.kind,
        title=item.title,
        due_at=item.due_at,
        status=WorkItemStatus.OPEN,
        data={**item.data, "rule": item.rule, "citation": item.citation},
        created_at=now,
    )


def outbox_row(note: Notification, now: datetime) -> OutboxRow:
    return OutboxRow(
        key=note.key,
        course_id=note.course_id,
        role=note.role,
        subject=note.subject,
        body=note.body,
        data={**note.data, "rule": note.rule, "citation": note.citation},
        created_at=now,
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
    )
