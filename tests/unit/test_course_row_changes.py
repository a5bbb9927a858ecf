"""A course row is updated with only the columns that changed (issue 14: on SQLite an
UPDATE that sets an indexed column, `state` or `next_due_at`, rewrites its index
entry even to the same value, two pages more in every event's commit). The changes
laid over the row as written before must give the row as `course_values` writes it now,
and every column `course_values` writes must be one the comparison looks at."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

from ivig_workflow.db import course_writes
from ivig_workflow.db.course_writes import course_changes, course_values
from ivig_workflow.domain.course.model import Course
from tests.unit.course_factories import Ward, local

MONDAY = date(2027, 3, 1)
NOW = datetime(2027, 3, 6, 8, tzinfo=UTC)


def _versions() -> list[Course]:
    """Every version a course went through: released, given, weighed, given again."""
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle(order=(2, 1, 3, 4, 5)[: len(ward.course.cycles[0].planned_days)])
    ward.send("observation.recorded", local(ward.course.cycles[-1].planned_start, 6), weight_kg=64)
    ward.give_cycle()
    courses = [decision.course for decision in ward.decisions]
    return courses[:1] + [after for before, after in pairwise(courses) if after != before]


def test_the_changes_over_the_row_written_before_give_the_row_now() -> None:
    versions = _versions()
    assert len(versions) > 8
    changed = set()
    unchanged_index = 0
    for before, after in pairwise(versions):
        changes = course_changes(before, after, NOW)
        assert {**course_values(before, NOW), **changes} == course_values(after, NOW)
        old = course_values(before, NOW)
        assert all(old[name] != value for name, value in changes.items() if name != "updated_at")
        changed |= set(changes)
        unchanged_index += "state" not in changes and "next_due_at" not in changes
    # The run changes the state, the next due instant, the counts and the weight...
    assert {"state", "next_due_at", "cycles_completed", "weight_kg", "measured_at"} <= changed
    # ...and an infusion day within a cycle leaves both indexed columns alone.
    assert unchanged_index >= 2


def test_no_change_sets_only_the_update_instant() -> None:
    course = _versions()[-1]
    assert course_changes(course, course, NOW) == {"updated_at": NOW}
    assert course_changes(course, course.model_copy(), NOW) == {"updated_at": NOW}


def test_every_column_written_is_compared() -> None:
    compared = {*course_writes._COURSE_FIELDS, *course_writes._MEASUREMENTS, "dose_options"}
    assert set(course_values(_versions()[0], NOW)) == compared | {"updated_at"}
