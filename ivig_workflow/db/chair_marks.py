"""Chairs follow the course, in the step's own transaction: `ChairsChanged` effects
free the bookings the step made stale and mark the centre for a re-plan; a re-plan
takes the marks it saw and records when it ran.

Freeing marks a booking `cancelled` (kept until the next re-plan of the centre
deletes it and reuses its chair). A mark is a row of its own per centre and write,
never an update of a shared row: steps of one centre in parallel never wait for
each other here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ivig_workflow.db.driver_statements import DriverStatement, table_insert
from ivig_workflow.db.statuses import BOOKED, CANCELLED
from ivig_workflow.db.tables import BookingRow, ChairReplanMarkRow, ChairReplanRow, CourseRow
from ivig_workflow.domain.course.chair_effect import ChairsChanged

_BOOKINGS: Table = BookingRow.__table__  # type: ignore[attr-defined]
_MARKS: Table = ChairReplanMarkRow.__table__  # type: ignore[attr-defined]
_PLANNED: Table = ChairReplanRow.__table__  # type: ignore[attr-defined]
_COURSES: Table = CourseRow.__table__  # type: ignore[attr-defined]
_OF_CYCLE = (
    _BOOKINGS.c.course_id == bindparam("b_course"),
    _BOOKINGS.c.cycle == bindparam("b_cycle"),
    _BOOKINGS.c.date >= bindparam("b_from"),
    _BOOKINGS.c.status == BOOKED,
)
# On the driver's cursor (`driver_statements`): a cycle's completion or a hold frees
# its chairs in the event's own transaction (~40 us a statement through execute).
_FREE_CYCLE = DriverStatement(
    lambda _: (
        update(_BOOKINGS).where(*_OF_CYCLE).values(status=CANCELLED, updated_at=bindparam("b_now"))
    )
)
_FREE_DAY = DriverStatement(
    lambda _: (
        update(_BOOKINGS)
        .where(*_OF_CYCLE, _BOOKINGS.c.day == bindparam("b_day"))
        .values(status=CANCELLED, updated_at=bindparam("b_now"))
    )
)
_INSERT_MARKS = table_insert(_MARKS)


def apply_chair_changes(
    connection: Connection, changes: Sequence[tuple[ChairsChanged, datetime]]
) -> None:
    """Free what each change names, and mark each centre it touched (one row each)."""
    cycles: list[dict[str, Any]] = []
    days: list[dict[str, Any]] = []
    for change, now in changes:
        for freed in change.freed:
            row = {"b_course": change.course_id, "b_cycle": freed.cycle, "b_from": freed.from_day}
            if freed.days is None:
                cycles.append({**row, "b_now": now})
            else:
                days.extend({**row, "b_day": day, "b_now": now} for day in freed.days)
    _FREE_CYCLE.executemany(connection, cycles)
    _FREE_DAY.executemany(connection, days)
    marks: dict[str, dict[str, Any]] = {}
    for change, now in changes:
        mark = marks.setdefault(
            change.centre,
            {"centre_slug": change.centre, "needed_from": change.needed_from, "marked_at": now},
        )
        mark["needed_from"] = min(mark["needed_from"], change.needed_from)
        mark["marked_at"] = max(mark["marked_at"], now)
        mark.setdefault("whys", []).append(f"{change.course_id}: {change.why}")
    _INSERT_MARKS.executemany(
        connection,
        [
            {**{k: v for k, v in mark.items() if k != "whys"}, "why": _why(mark["whys"])}
            for mark in marks.values()
        ],
    )


def _why(whys: list[str]) -> str:
    text = "; ".join(whys)
    return text if len(text) <= 500 else f"{text[:480]}… ({len(whys)} changes)"


def marks_seen(connection: Connection, centre: str) -> list[int]:
    """The marks a re-plan starting now answers (their ids, to take them when done)."""
    return list(
        connection.execute(select(_MARKS.c.id).where(_MARKS.c.centre_slug == centre)).scalars()
    )


def replanned(connection: Connection, centre: str, seen: list[int], now: datetime) -> None:
    """The re-plan of `centre` is written: take the marks it saw (not ones made
    meanwhile, whose changes it may have missed) and record when it ran."""
    if seen:
        connection.execute(delete(_MARKS).where(_MARKS.c.id.in_(seen)))
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(_PLANNED).values(centre_slug=centre, planned_at=now)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["centre_slug"], set_={"planned_at": statement.excluded.planned_at}
        )
    )


def freed_in_window(
    connection: Connection, centre: str, first: date, freeze_end: date
) -> set[tuple[str, int]]:
    """(course, cycle) of the bookings a step freed inside the freeze window: the
    re-plan books those cycles again on their own dates, it does not move them."""
    rows = connection.execute(
        select(_BOOKINGS.c.course_id, _BOOKINGS.c.cycle)
        .where(
            _BOOKINGS.c.centre_slug == centre,
            _BOOKINGS.c.date >= first,
            _BOOKINGS.c.date < freeze_end,
            _BOOKINGS.c.status == CANCELLED,
        )
        .distinct()
    ).all()
    return {(course_id, cycle) for course_id, cycle in rows}


def free_stale(
    connection: Connection, centre: str, after: date, live: Collection[Any], now: datetime
) -> int:
    """Free bookings after `after` of the centre's courses not in a `live` state.

    Each step frees its own course's chairs; this catches the one case it cannot:
    a re-plan that wrote a course's bookings while a hold of that course was being
    recorded, each transaction blind to the other's rows.
    """
    stopped = select(_COURSES.c.id).where(
        _COURSES.c.centre_slug == centre, _COURSES.c.state.not_in(list(live))
    )
    result = connection.execute(
        update(_BOOKINGS)
        .where(
            _BOOKINGS.c.centre_slug == centre,
            _BOOKINGS.c.date > after,
            _BOOKINGS.c.status == BOOKED,
            _BOOKINGS.c.course_id.in_(stopped),
        )
        .values(status=CANCELLED, updated_at=now)
    )
    return int(result.rowcount)
