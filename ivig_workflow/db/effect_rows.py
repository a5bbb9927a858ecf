"""Work items, notifications and log rows written in the decision's transaction.

Plain multi-row inserts: effect keys are deterministic and unique in the database,
so an effect computed again (a retried event, a replayed sweep) is skipped by the
insert itself (`ON CONFLICT DO NOTHING`) instead of by a lookup first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from ivig_workflow.db.chair_marks import apply_chair_changes
from ivig_workflow.db.driver_statements import DriverStatement
from ivig_workflow.db.driver_statements import insert_new_keys as new_keys_statement
from ivig_workflow.db.statuses import OutboxStatus, WorkItemStatus
from ivig_workflow.db.tables import OutboxRow, WorkItemRow
from ivig_workflow.domain.course.chair_effect import ChairsChanged
from ivig_workflow.domain.course.effects import Effect, Notification, WorkItem, WorkItemClosed


def insert_rows(connection: Connection, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        # The Core table, not the ORM entity: no unit-of-work bookkeeping per row.
        connection.execute(insert(_table(table)), rows)


def insert_new_keys(
    connection: Connection, table: type[SQLModel], rows: list[dict[str, Any]]
) -> None:
    """Insert rows whose `key` is not stored yet; the unique index decides."""
    if not rows:
        return
    unique = list({row["key"]: row for row in rows}.values())
    dialect = connection.dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(_table(table)).on_conflict_do_nothing(index_elements=["key"])
    connection.execute(statement, unique)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def write_effects(connection: Connection, effects: Sequence[tuple[Effect, datetime]]) -> None:
    """Each effect with the instant it was decided at. Items are inserted before any
    is closed, so a batch that raises and closes the same item leaves it closed."""
    items = [work_item_values(e, now) for e, now in effects if isinstance(e, WorkItem)]
    _NEW_WORK_ITEMS.executemany(connection, _unique_keys(items))
    notes = [outbox_values(e, now) for e, now in effects if isinstance(e, Notification)]
    _NEW_NOTIFICATIONS.executemany(connection, _unique_keys(notes))
    closings = [close_values(e, now) for e, now in effects if isinstance(e, WorkItemClosed)]
    _CLOSE_OPEN_ITEM.executemany(connection, closings)
    chairs = [(e, now) for e, now in effects if isinstance(e, ChairsChanged)]
    if chairs:  # stale bookings freed, the centre marked for a re-plan
        apply_chair_changes(connection, chairs)


def _unique_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({row["key"]: row for row in rows}.values()) if len(rows) > 1 else rows


_WORK_ITEMS: Table = WorkItemRow.__table__  # type: ignore[attr-defined]
# Every decision's effects: run on the driver's cursor (`driver_statements`).
_NEW_WORK_ITEMS = new_keys_statement(_WORK_ITEMS)
_NEW_NOTIFICATIONS = new_keys_statement(OutboxRow.__table__)  # type: ignore[attr-defined]
# Only an open item is closed: one a person closed first keeps their record.
_CLOSE_OPEN_ITEM = DriverStatement(
    lambda _: (
        update(_WORK_ITEMS)
        .where(
            _WORK_ITEMS.c.key == bindparam("b_key"),
            _WORK_ITEMS.c.status == WorkItemStatus.OPEN.value,
        )
        .values(
            status=bindparam("b_status"),
            closed_at=bindparam("b_closed_at"),
            closed_by=bindparam("b_closed_by"),
            close_reason=bindparam("b_reason"),
        )
    )
)


def close_values(closing: WorkItemClosed, now: datetime) -> dict[str, Any]:
    return {
        "b_key": closing.work_item_key,
        "b_status": WorkItemStatus(closing.outcome),
        "b_closed_at": now,
        "b_closed_by": closing.closed_by,
        "b_reason": f"{closing.reason} ({closing.rule})",
    }


def work_item_values(item: WorkItem, now: datetime) -> dict[str, Any]:
    return {
        "key": item.key,
        "course_id": item.course_id,
        "role": item.role,
        "kind": item.kind,
        "title": item.title,
        "due_at": item.due_at,
        "status": WorkItemStatus.OPEN,
        "data": {**item.data, "rule": item.rule, "citation": item.citation},
        "created_at": now,
        "closed_at": None,
        "closed_by": None,
        "close_reason": None,
    }


def outbox_values(note: Notification, now: datetime) -> dict[str, Any]:
    return {
        "key": note.key,
        "course_id": note.course_id,
        "role": note.role,
        "subject": note.subject,
        "body": note.body,
        "data": {**note.data, "rule": note.rule, "citation": note.citation},
        "created_at": now,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "delivered_at": None,
        "last_error": None,
    }
