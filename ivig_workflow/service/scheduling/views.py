"""The bookings of a centre read back: a list, the capacity per date, a chair board.

Shapes for `ivig schedule show`, `GET /v1/bookings` and the worklist flow's
artifacts. Rows carry course ids only, never a patient.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ivig_workflow.db.statuses import BOOKED
from ivig_workflow.db.tables import BookingRow
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.capacity_days import capacity_days
from ivig_workflow.service.unit_of_work import reading


def booking_rows(
    session: Session,
    centre: str,
    first: date,
    last: date,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[BookingRow]:
    query = (
        select(BookingRow)
        .where(col(BookingRow.centre_slug) == centre)
        .where(col(BookingRow.date) >= first)
        .where(col(BookingRow.date) <= last)
        .where(col(BookingRow.status) == BOOKED)
        .order_by(col(BookingRow.date), col(BookingRow.chair), col(BookingRow.start_time))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query).all())


def booking_json(row: BookingRow) -> dict[str, Any]:
    return {
        "course_id": row.course_id,
        "cycle": row.cycle,
        "day": row.day,
        "date": row.date.isoformat(),
        "chair": row.chair,
        "start": row.start_time.strftime("%H:%M"),
        "end": row.end_time.strftime("%H:%M"),
    }


def _minutes(row: BookingRow) -> int:
    start, end = row.start_time, row.end_time
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def schedule_view(
    engine: Engine, rulebook: Rulebook, centre: str, first: date, last: date
) -> dict[str, Any]:
    """`{"bookings": [...], "capacity": {date: {"chairs", "chair_minutes", "booked_minutes"}}}`;
    closed dates are listed with no chairs."""
    place = rulebook.centres.centre(centre)
    days = capacity_days(
        place, rulebook.centres.capacity(centre), HolidayCalendar(place), first, last
    )
    with reading(engine) as session:
        rows = booking_rows(session, centre, first, last)
    booked: dict[date, int] = defaultdict(int)
    for row in rows:
        booked[row.date] += _minutes(row)
    capacity = {}
    day = first
    while day <= last:
        open_day = days.get(day)
        capacity[day.isoformat()] = {
            "chairs": open_day.chairs if open_day else 0,
            "chair_minutes": open_day.chair_minutes if open_day else 0,
            "booked_minutes": booked[day],
        }
        day += timedelta(days=1)
    return {"bookings": [booking_json(row) for row in rows], "capacity": capacity}


def chair_board(
    bookings: list[dict[str, Any]], day: str, chairs: int, opens: int = 8, closes: int = 18
) -> list[dict[str, str]]:
    """One row per chair, one column per hour: who sits there (a short course id).

    An hour shows the booking that occupies most of it; `·` is a free hour.
    """
    hours = range(opens, closes)
    rows = []
    for chair in range(1, chairs + 1):
        row = {"chair": str(chair)}
        for hour in hours:
            row[f"{hour:02d}"] = "·"
        for b in bookings:
            if b["date"] != day or b["chair"] != chair:
                continue
            start = _clock(b["start"])
            end = _clock(b["end"])
            for hour in hours:
                overlap = min(end, (hour + 1) * 60) - max(start, hour * 60)
                if overlap >= 30:
                    row[f"{hour:02d}"] = f"{b['course_id'][:4]}"
        rows.append(row)
    return rows


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def load_chart(capacity: dict[str, dict[str, int]], width: int = 40) -> str:
    """The booked share of each open date as a bar of Unicode blocks, for people."""
    blocks = " ▏▎▍▌▋▊▉█"
    lines = []
    for day, facts in capacity.items():
        if not facts["chair_minutes"]:
            lines.append(f"{day}  closed")
            continue
        share = facts["booked_minutes"] / facts["chair_minutes"]
        eighths = round(min(share, 1.0) * width * 8)
        bar = "█" * (eighths // 8) + (blocks[eighths % 8] if eighths % 8 else "")
        lines.append(f"{day}  {bar:<{width}}  {share:5.0%}")
    return "\n".join(lines)
