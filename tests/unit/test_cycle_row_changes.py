"""A cycle row is updated with only the columns that changed (issue 14: the plan's
JSON is not written again with every infusion day). The column conversions must stay
those of `cycle_values`, and the changes laid over the row as written before must
give the row as `cycle_values` writes it now."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from ivig_workflow.db.course_rows import cycle_values
from ivig_workflow.db.course_writes import CYCLE_COLUMNS, cycle_changes
from ivig_workflow.domain.course.model import Cycle
from tests.unit.course_factories import Ward, local

MONDAY = date(2027, 3, 1)


def _versions() -> list[list[Cycle]]:
    """Every version of each cycle a course went through, cycle by cycle."""
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle(order=(2, 1, 3, 4, 5)[: len(ward.course.cycles[0].planned_days)])
    ward.send("observation.recorded", local(ward.course.cycles[-1].planned_start, 6), weight_kg=64)
    ward.give_cycle()
    versions: dict[int, list[Cycle]] = {}
    for decision in ward.decisions:
        for cycle in decision.course.cycles:
            seen = versions.setdefault(cycle.number, [])
            if not seen or seen[-1] != cycle:
                seen.append(cycle)
    return list(versions.values())


def test_the_columns_convert_as_cycle_values_does() -> None:
    for versions in _versions():
        for cycle in versions:
            converted = {
                name: convert(getattr(cycle, name)) for name, convert in CYCLE_COLUMNS.items()
            }
            assert converted == cycle_values(cycle)


def test_the_changes_over_the_row_written_before_give_the_row_now() -> None:
    changed_any_without_plan = False
    given = _versions()[:2]  # the third is only planned
    assert all(len(versions) > 3 for versions in given), "released, given day by day, done"
    for versions in given:
        for before, after in pairwise(versions):
            changes = cycle_changes(before, after)
            assert {**cycle_values(before), **changes} == cycle_values(after)
            assert all(cycle_values(before)[name] != value for name, value in changes.items())
            changed_any_without_plan |= bool(changes) and "plan" not in changes
    assert changed_any_without_plan, "an infusion day leaves the plan's column alone"


def test_no_change_sets_no_column() -> None:
    cycle = _versions()[0][-1]
    assert cycle_changes(cycle, cycle) == {}
    assert cycle_changes(cycle, cycle.model_copy()) == {}
