"""Freeing a course's chairs: a hold, a cancellation or a skipped cycle gives its
future bookings back (marked cancelled, kept until the next re-plan reuses the slot).

Course steps free their own chairs through their `ChairsChanged` effect
(`domain/course/chair_changes.py`, written by `db/chair_marks.py` in the step's
transaction). `free_bookings` is the same freeing for a caller outside a course
step (a person giving chairs back by hand): call it inside a unit of work; the next
re-plan fills the chairs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from ivig_workflow.db.statuses import BOOKED, CANCELLED
from ivig_workflow.db.tables import BookingRow


def free_bookings(
    session: Session,
    course_id: str,
    *,
    from_day: date,
    now: datetime,
    cycles: list[int] | None = None,
) -> int:
    """Cancel the course's bookings on or after `from_day` (of `cycles`, else all);
    returns how many were freed."""
    statement = (
        update(BookingRow)
        .where(col(BookingRow.course_id) == course_id)
        .where(col(BookingRow.date) >= from_day)
        .where(col(BookingRow.status) == BOOKED)
        .values(status=CANCELLED, updated_at=now)
    )
    if cycles is not None:
        statement = statement.where(col(BookingRow.cycle).in_(cycles))
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
