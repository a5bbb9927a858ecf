"""The rows a unit of work has staged, written as a few Core statements.

A batch of events or a sweep batch stages many courses; writing them through ORM
objects cost more per course than the state machine did. Here each kind of row is
one executemany or one multi-row insert. The course rows keep optimistic locking by
hand: every UPDATE carries `version = :loaded`, and fewer rows updated than staged
means a concurrent writer got there first (`StaleDataError`, which callers retry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm.exc import StaleDataError

from ivig_workflow.db.driver_statements import DriverStatement, table_insert, table_insert_ids
from ivig_workflow.db.effect_rows import write_effects
from ivig_workflow.db.statuses import CycleStatus, WorkItemStatus
from ivig_workflow.db.tables import (
    CourseRow,
    CycleRow,
    InfusionDayRow,
    TransitionLogRow,
    WorkItemRow,
)
from ivig_workflow.domain.course.effects import Effect
from ivig_workflow.domain.course.model import Course, Cycle, InfusionDay

_COURSES: Table = CourseRow.__table__  # type: ignore[attr-defined]
_CYCLES: Table = CycleRow.__table__  # type: ignore[attr-defined]
# Run on the driver's cursor (`driver_statements`): these are every event's writes.
_UPDATE_COURSE = DriverStatement(
    lambda _: update(_COURSES).where(
        _COURSES.c.id == bindparam("b_id"), _COURSES.c.version == bindparam("b_version")
    )
)
_UPDATE_CYCLE = DriverStatement(lambda _: update(_CYCLES).where(_CYCLES.c.id == bindparam("b_id")))
_INSERT_COURSES = table_insert(_COURSES)
_INSERT_CYCLES = table_insert_ids(_CYCLES)
_INSERT_DAYS = table_insert(InfusionDayRow.__table__)  # type: ignore[attr-defined]
_INSERT_LOG = table_insert(TransitionLogRow.__table__)  # type: ignore[attr-defined]
_WORK: Table = WorkItemRow.__table__  # type: ignore[attr-defined]
# A decision settles an open work item; one closed by hand already keeps its record.
_CLOSE_WORK = update(_WORK).where(
    _WORK.c.key == bindparam("b_key"), _WORK.c.status == WorkItemStatus.OPEN
)


def _same(value: Any) -> Any:
    return value


# The course row's columns from the Course attributes of the same name, and from its
# measurements; `dose_options` is compared as a model and written as its JSON.
_COURSE_FIELDS = (
    "state",
    "state_before_hold",
    "state_after_decision",
    "series",
    "cycles_in_series_completed",
    "cycles_completed",
    "interval_weeks",
    "last_relapse_check_at",
    "next_relapse_check_at",
    "next_due_at",
)
_MEASUREMENTS = ("weight_kg", "height_cm", "egfr", "measured_at")


def course_values(course: Course, now: datetime) -> dict[str, Any]:
    """The course row's columns that the state machine changes."""
    measurements = course.measurements
    return {
        **{name: getattr(course, name) for name in _COURSE_FIELDS},
        **{name: getattr(measurements, name) for name in _MEASUREMENTS},
        "dose_options": course.dose_options.model_dump(mode="json"),
        "updated_at": now,
    }


def course_changes(before: Course, after: Course, now: datetime) -> dict[str, Any]:
    """The columns of `course_values` whose values differ between the course as its row
    holds it (`before`) and `after`, and `updated_at`.

    An UPDATE that sets an indexed column rewrites its index entry even to the same
    value: on SQLite `state` and `next_due_at` cost two pages more in the WAL of every
    event's commit (12 instead of 10), most events changing neither. Instants compare
    as instants: the row keeps them in UTC.
    """
    changes: dict[str, Any] = {}
    for name in _COURSE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old is not new and old != new:
            changes[name] = new
    if before.measurements is not after.measurements:
        for name in _MEASUREMENTS:
            old, new = getattr(before.measurements, name), getattr(after.measurements, name)
            if old is not new and old != new:
                changes[name] = new
    if before.dose_options is not after.dose_options and before.dose_options != after.dose_options:
        changes["dose_options"] = after.dose_options.model_dump(mode="json")
    changes["updated_at"] = now
    return changes


# Each column of a cycle row from the Cycle attribute of the same name, converted as
# `course_rows.cycle_values` converts it (a test holds the two together).
CYCLE_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "series": _same,
    "number_in_series": _same,
    "planned_start": _same,
    "planned_days": lambda days: [day.isoformat() for day in days],
    "plan": lambda plan: plan.model_dump(mode="json"),
    "status": CycleStatus,
    "released_at": _same,
    "escalated_at": _same,
    "release_held_at": _same,
    "release_confirmation": lambda confirmed: (
        None if confirmed is None else confirmed.model_dump(mode="json")
    ),
    "deviations": lambda deviations: [d.model_dump(mode="json") for d in deviations],
    "target_start": _same,
    "moves": _same,
}


def cycle_changes(before: Cycle, after: Cycle) -> dict[str, Any]:
    """The cycle row's columns whose attributes differ between two versions of a cycle."""
    changes = {}
    for name, convert in CYCLE_COLUMNS.items():
        old, new = getattr(before, name), getattr(after, name)
        if old is not new and old != new:
            changes[name] = convert(new)
    return changes


@dataclass
class PendingWrites:
    course_inserts: dict[str, dict[str, Any]] = field(default_factory=dict)
    course_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    cycle_inserts: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    cycle_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    days: list[tuple[str, int, InfusionDay]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    effects: list[tuple[Effect, datetime]] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Anything staged (a unit of work's commit writes what its caller has not)."""
        return any(getattr(self, staged.name) for staged in fields(self))

    def write(
        self, connection: Connection, cycle_ids: dict[tuple[str, int], int]
    ) -> dict[tuple[str, int], int]:
        """Write everything staged; returns the ids of the cycles it inserted.

        `cycle_ids` resolves the cycles of infusion days that were stored before.
        """
        _INSERT_COURSES.executemany(connection, list(self.course_inserts.values()))
        if self.course_updates:
            staged = list(self.course_updates.values())
            # Each course sets the columns it changed: one executemany per set of them.
            updated = sum(
                _UPDATE_COURSE.executemany(connection, rows) for rows in _by_columns(staged)
            )
            if updated != len(staged):
                raise StaleDataError(
                    f"{len(staged) - updated} of {len(staged)} courses changed since loaded"
                )
        inserted: dict[tuple[str, int], int] = {}
        if self.cycle_inserts:
            ids = _INSERT_CYCLES.insert_ids(connection, list(self.cycle_inserts.values()))
            inserted = dict(zip(self.cycle_inserts, ids, strict=True))
        for rows in _by_columns(self.cycle_updates.values()):
            _UPDATE_CYCLE.executemany(connection, rows)
        known = {**cycle_ids, **inserted}
        days = [
            _day_values(known[(course_id, number)], day) for course_id, number, day in self.days
        ]
        _INSERT_DAYS.executemany(connection, days)
        _INSERT_LOG.executemany(connection, self.log)
        write_effects(connection, self.effects)
        return inserted


def _by_columns(rows: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by the columns they set: one executemany per group."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


def _day_values(cycle_id: int, infusion: InfusionDay) -> dict[str, Any]:
    return {
        "cycle_id": cycle_id,
        "day": infusion.day,
        "date": infusion.date,
        "dose_g": infusion.dose_g,
        "product": infusion.product,
        "lot_numbers": list(infusion.lot_numbers),
        "event_key": infusion.event_key,
    }
