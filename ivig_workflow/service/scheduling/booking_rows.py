"""A centre's booking rows as a plan reads and writes them.

What is booked from a day on, per cycle; a plan's bookings written over the ones it
replaces; the past booking of a cycle day the plan books again cancelled. Chair times
are minutes after midnight in the solver and clock times in the rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from ivig_workflow.db.effect_rows import insert_rows
from ivig_workflow.db.statuses import BOOKED, CANCELLED
from ivig_workflow.db.tables import BookingRow
from ivig_workflow.scheduling import Booking, Plan
from ivig_workflow.service.scheduling.demand import CycleNeed

# Room after the horizon for the last days of a cycle that starts inside it.
TAIL = timedelta(days=21)


def booked_from(session: Session, centre: str, first: date) -> dict[str, list[BookingRow]]:
    rows = session.scalars(
        select(BookingRow)
        .where(col(BookingRow.centre_slug) == centre)
        .where(col(BookingRow.date) >= first)
        .where(col(BookingRow.status) == BOOKED)
    ).all()
    found: dict[str, list[BookingRow]] = defaultdict(list)
    for row in rows:
        found[f"{row.course_id}:{row.cycle}"].append(row)
    return found


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 24 * 60 else time(23, 59)


def booking(key: str, row: BookingRow) -> Booking:
    return Booking(
        key, row.day, row.date, row.chair, _minutes(row.start_time), _minutes(row.end_time)
    )


def replace_bookings(
    session: Session,
    centre: str,
    first: date,
    replaced: list[str],
    plan: Plan,
    needs: dict[str, CycleNeed],
    now: datetime,
) -> None:
    """Delete what the plan replaces (and cancelled rows, whose slots it may reuse),
    and cancel the past bookings of the cycle days it books again."""
    _cancel_superseded(session, centre, first, plan, now)
    session.execute(
        delete(BookingRow)
        .where(col(BookingRow.centre_slug) == centre)
        .where(col(BookingRow.date) >= first)
        .where(col(BookingRow.status) == CANCELLED)
    )
    by_course: dict[str, list[int]] = defaultdict(list)
    for key in replaced:
        by_course[needs[key].course_id].append(needs[key].cycle)
    for course_id, cycles in by_course.items():
        session.execute(
            delete(BookingRow)
            .where(col(BookingRow.course_id) == course_id)
            .where(col(BookingRow.cycle).in_(cycles))
            .where(col(BookingRow.date) >= first)
        )
    insert_rows(
        session.connection(),
        BookingRow,
        [
            {
                "course_id": needs[b.demand].course_id,
                "cycle": needs[b.demand].cycle,
                "day": b.day,
                "centre_slug": centre,
                "date": b.date,
                "chair": b.chair,
                "start_time": _clock(b.start),
                "end_time": _clock(b.end),
                "status": BOOKED,
                "created_at": now,
                "updated_at": now,
            }
            for b in plan.bookings
        ],
    )


def _cancel_superseded(
    session: Session, centre: str, first: date, plan: Plan, now: datetime
) -> None:
    """A cycle day the plan books again no longer happens on a booking before `first`.

    The plan only touches rows from `first` on, but a course may plan a cycle anew
    after one of its days was booked in the past and not given (held on day 2 and
    resumed: day 1 is planned again from the resume). Left booked, that old row and
    the new one would be two chairs for the same cycle day.
    """
    again = {(b.demand, b.day) for b in plan.bookings}
    if not again:
        return
    rows = session.execute(
        select(
            col(BookingRow.id),
            col(BookingRow.course_id),
            col(BookingRow.cycle),
            col(BookingRow.day),
        )
        .where(col(BookingRow.centre_slug) == centre)
        .where(col(BookingRow.date) >= first - TAIL)
        .where(col(BookingRow.date) < first)
        .where(col(BookingRow.status) == BOOKED)
    ).all()
    stale = [row_id for row_id, course, cycle, day in rows if (f"{course}:{cycle}", day) in again]
    if stale:
        session.execute(
            update(BookingRow)
            .where(col(BookingRow.id).in_(stale))
            .values(status=CANCELLED, updated_at=now)
        )
