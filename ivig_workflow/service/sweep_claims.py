"""Which due courses one sweep batch takes, and how many.

Only the index on `next_due_at` is read, so the cost follows what is due, not how
many courses are held. Batches follow one order, (next_due_at, id), and each starts
after the last course of the batch before (the cursor): a course left due (its tick
raised an error, or changed nothing) is not taken again in the same sweep.

On PostgreSQL a batch is claimed with `FOR UPDATE SKIP LOCKED`, so several workers
split one sweep without waiting on each other and never tick a course twice. There a
claim also shrinks as the due work runs out: it takes a quarter of what is left
ahead of the worker (at least `MIN_CLAIM`, at most the batch size), so two workers
finish together instead of one working through a last full batch while the other
has nothing left. A quarter, not a half: what is left ahead still counts the batch
another worker holds and has not yet committed.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, func, literal, select, tuple_
from sqlalchemy import Select as CoreSelect
from sqlmodel import col
from sqlmodel.sql.expression import Select

from ivig_workflow.db.tables import CourseRow
from ivig_workflow.db.types import UtcDateTime

# Where the next batch starts: the last (next_due_at, id) of the batch before.
SweepCursor = tuple[datetime, str]

MIN_CLAIM = 50  # below this, a batch's fixed cost (~15 statements) outweighs the balance
SHARE = 4  # a claim takes 1/SHARE of what is left ahead


def _where(query: Any, by_centre: bool, after_cursor: bool) -> Any:
    due_at = col(CourseRow.next_due_at)
    query = query.where(due_at <= bindparam("now", type_=UtcDateTime))
    if by_centre:
        query = query.where(col(CourseRow.centre_slug) == bindparam("centre"))
    if after_cursor:
        query = query.where(
            tuple_(due_at, col(CourseRow.id))
            > tuple_(bindparam("after_due", type_=UtcDateTime), bindparam("after_id", type_=String))
        )
    return query


@lru_cache(maxsize=16)
def _due(by_centre: bool, after_cursor: bool, claim: bool) -> Select[str, datetime | None]:
    """Due courses (after the cursor) in sweep order, at most `:limit`; claimed with
    `FOR UPDATE SKIP LOCKED` (PostgreSQL) when `claim`.

    Built once per shape and reused as the same object: building a statement costs
    more than SQLite takes to run it, and a new object per call also makes
    SQLAlchemy match its result columns to the cached compilation on every run.
    """
    due_at = col(CourseRow.next_due_at)
    query = _where(select(col(CourseRow.id), due_at), by_centre, after_cursor)
    query = query.order_by(due_at, col(CourseRow.id)).limit(bindparam("limit", type_=Integer))
    return query.with_for_update(skip_locked=True) if claim else query  # type: ignore[no-any-return]


@lru_cache(maxsize=8)
def _ahead(by_centre: bool, after_cursor: bool) -> CoreSelect[int]:
    """How many are due after the cursor, counted up to `:look` (an index-only range)."""
    rows = _where(select(literal(1)), by_centre, after_cursor)
    counted = rows.limit(bindparam("look", type_=Integer)).subquery()
    return select(func.count()).select_from(counted)


def claim_size(ahead: int, batch_size: int) -> int:
    least = min(MIN_CLAIM, batch_size)
    return max(least, min(batch_size, math.ceil(ahead / SHARE)))


def _params(now: datetime, cursor: SweepCursor | None, centre: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"now": now}
    if centre is not None:
        params["centre"] = centre
    if cursor is not None:
        params["after_due"], params["after_id"] = cursor
    return params


def anything_due(
    connection: Connection, now: datetime, cursor: SweepCursor | None, centre: str | None
) -> bool:
    """A plain read, no lock: is one course due after the cursor?"""
    query = _due(centre is not None, cursor is not None, False)
    params = {**_params(now, cursor, centre), "limit": 1}
    return connection.execute(query, params).first() is not None


def claim(
    connection: Connection,
    now: datetime,
    cursor: SweepCursor | None,
    centre: str | None,
    batch_size: int,
) -> tuple[list[tuple[str, datetime]], int]:
    """The batch's courses, (id, next_due_at) in sweep order, and how many were asked
    for: fewer came back only when nothing more is due past them for this worker."""
    shape = (centre is not None, cursor is not None)
    params = _params(now, cursor, centre)
    postgres = connection.dialect.name == "postgresql"
    size = batch_size
    if postgres and batch_size > MIN_CLAIM:
        look = {**params, "look": SHARE * batch_size}
        ahead = connection.execute(_ahead(*shape), look).scalar_one()
        if not ahead:
            return [], 0  # the count was the look: nothing due, nothing claimed
        size = claim_size(ahead, batch_size)
    due = connection.execute(_due(*shape, postgres), {**params, "limit": size}).all()
    # A null next_due_at is never <= now: every row here has its instant.
    return [(course_id, due_at) for course_id, due_at in due if due_at is not None], size
