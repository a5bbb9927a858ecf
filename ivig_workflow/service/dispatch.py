"""Delivering the notification outbox: claim what is due, deliver, write back the outcome.

At least once: a row is first leased (its `next_attempt_at` pushed a lease ahead) in
one short transaction, delivered outside any transaction so a slow webhook never
holds the database, then settled. A dispatcher that dies mid-delivery leaves the
lease to run out and the row is tried again; sinks deduplicate on the key. On
PostgreSQL the claim is `FOR UPDATE SKIP LOCKED`, so several dispatchers split the
outbox instead of delivering a row twice at the same time.

A dead letter (the retry budget spent, or a failure waiting cannot fix) opens a
work item for the operators, so it is seen rather than silently dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Engine, or_
from sqlmodel import col, select

from ivig_workflow.db.statuses import OutboxStatus, WorkItemStatus
from ivig_workflow.db.tables import OutboxRow, WorkItemRow
from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.message import OutgoingMessage
from ivig_workflow.notify.retry import RetryPolicy, Settlement, settle
from ivig_workflow.notify.routing import Router
from ivig_workflow.notify.sinks import SinkResult
from ivig_workflow.service.unit_of_work import UnitOfWork, reading

# Longer than any sink's timeout times the sinks of one role, so a live
# dispatcher always settles before another may take the row over.
LEASE = timedelta(minutes=5)
DEAD_LETTER_KIND = "review_dead_notification"


class Delivery(BaseModel):
    outbox_id: int
    key: str
    course_id: str | None
    role: str
    status: str
    attempts: int
    next_attempt_at: datetime | None = None
    last_error: str | None = None


class DispatchReport(BaseModel):
    now: datetime
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    deliveries: list[Delivery] = []


def claim_due(
    now: datetime, *, engine: Engine, limit: int = 100, lease: timedelta = LEASE
) -> list[OutboxRow]:
    """Lease up to `limit` pending rows whose attempt is due; they are ours until `now + lease`."""
    with UnitOfWork(engine) as uow:
        query = (
            select(OutboxRow)
            .where(col(OutboxRow.status) == OutboxStatus.PENDING)
            .where(
                or_(col(OutboxRow.next_attempt_at).is_(None), col(OutboxRow.next_attempt_at) <= now)
            )
            .order_by(col(OutboxRow.next_attempt_at), col(OutboxRow.id))
            .limit(limit)
        )
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(uow.session.scalars(query).all())
        for row in rows:
            row.next_attempt_at = now + lease
            uow.session.add(row)
        uow.commit()
        for row in rows:
            uow.session.refresh(row)
            uow.session.expunge(row)
        return rows


def message_of(row: OutboxRow) -> OutgoingMessage:
    return OutgoingMessage(
        key=row.key,
        course_id=row.course_id or "none",
        role=Role(row.role),
        subject=row.subject[:200],
        body=row.body,
        data=row.data,
        created_at=row.created_at,
    )


def deliver_row(row: OutboxRow, router: Router) -> list[SinkResult]:
    try:
        return router.deliver(message_of(row))
    except (InputError, ValueError) as error:
        # A message that can never be sent (a name in its data, an unknown role)
        # is not retried: it goes straight to the operators.
        return [SinkResult("outbox", False, False, f"not deliverable: {error}")]


def write_back(
    row: OutboxRow, settlement: Settlement, now: datetime, *, engine: Engine
) -> Delivery:
    with UnitOfWork(engine) as uow:
        stored = uow.session.get(OutboxRow, row.id)
        if stored is None or stored.status != OutboxStatus.PENDING:
            raise InputError("outbox", f"row {row.id} is no longer pending")
        stored.status = OutboxStatus(settlement.status)
        stored.attempts = settlement.attempts
        stored.next_attempt_at = settlement.next_attempt_at
        stored.delivered_at = settlement.delivered_at
        stored.last_error = settlement.last_error
        uow.session.add(stored)
        if settlement.status == "dead":
            _raise_dead_letter(uow, stored, now)
        uow.commit()
        return Delivery(
            outbox_id=stored.id or 0,
            key=stored.key,
            course_id=stored.course_id,
            role=stored.role,
            status=settlement.status,
            attempts=settlement.attempts,
            next_attempt_at=settlement.next_attempt_at,
            last_error=settlement.last_error,
        )


def _raise_dead_letter(uow: UnitOfWork, row: OutboxRow, now: datetime) -> None:
    key = f"dead-letter:{row.key}"[:200]
    exists = uow.session.scalars(select(WorkItemRow).where(col(WorkItemRow.key) == key)).first()
    if exists is not None:
        return
    uow.session.add(
        WorkItemRow(
            key=key,
            course_id=row.course_id,
            role="operator",
            kind=DEAD_LETTER_KIND,
            title=f"Notification {row.key} to {row.role} was not delivered: check the sink",
            due_at=now,
            status=WorkItemStatus.OPEN,
            data={"outbox_id": row.id, "last_error": row.last_error, "attempts": row.attempts},
            created_at=now,
        )
    )


def dispatch_due(
    now: datetime,
    *,
    engine: Engine,
    router: Router,
    policy: RetryPolicy | None = None,
    limit: int = 100,
) -> DispatchReport:
    """One pass over the due outbox: each claimed row delivered once and settled."""
    policy = policy or RetryPolicy()
    report = DispatchReport(now=now)
    for row in claim_due(now, engine=engine, limit=limit):
        report.claimed += 1
        settlement = settle(deliver_row(row, router), row.attempts, now, policy)
        delivery = write_back(row, settlement, now, engine=engine)
        report.deliveries.append(delivery)
        if delivery.status == "delivered":
            report.delivered += 1
        elif delivery.status == "dead":
            report.dead += 1
        else:
            report.retrying += 1
    return report


def dead_letters(engine: Engine, *, limit: int = 200) -> list[OutboxRow]:
    with reading(engine) as session:
        rows = list(
            session.scalars(
                select(OutboxRow)
                .where(col(OutboxRow.status) == OutboxStatus.DEAD)
                .order_by(col(OutboxRow.id))
                .limit(limit)
            ).all()
        )
        for row in rows:
            session.expunge(row)
        return rows
