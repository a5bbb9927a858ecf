"""Outpatient cycles on consecutive calendar days the centre is open."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from ivig_workflow.domain.course.cycle_placement import place_days
from ivig_workflow.domain.course.policy import CoursePolicy, CycleWindow
from tests.unit.course_factories import Ward, assert_quoted, local, rules_for

CONSECUTIVE = "Administration of the immunoglobulin should be spread over 2-5 consecutive days."
D = date.fromisoformat

# (target, days, earliest, latest, expected start, fits, why); Berlin, window 7 / 7
CASES = [
    ("2025-01-06", 5, "2025-01-01", None, "2025-01-06", True, "a Monday fits as it is"),
    (
        "2025-01-09",
        5,
        "2025-01-01",
        None,
        "2025-01-06",
        True,
        "a Thursday would span the weekend: the Monday 3 days before is nearer than the next",
    ),
    (
        "2025-01-10",
        4,
        "2025-01-01",
        None,
        "2025-01-07",
        True,
        "Tue 7 and Mon 13 are both 3 days away: the earlier wins",
    ),
    ("2025-01-09", 5, "2025-01-09", None, "2025-01-13", True, "never before `earliest`"),
    (
        "2025-01-09",
        5,
        "2025-01-09",
        "2025-01-12",
        "2025-01-09",
        False,
        "never past the interval's maximum: no date fits, the target is kept",
    ),
    (
        "2025-04-17",
        3,
        "2025-04-17",
        None,
        "2025-04-22",
        True,
        "Maundy Thursday: Good Friday and Easter Monday are closed",
    ),
    (
        "2025-12-24",
        3,
        "2025-12-16",
        None,
        "2025-12-22",
        True,
        "Christmas: Mon 22 to Christmas Eve (open in Berlin), two days earlier",
    ),
]


@pytest.mark.parametrize(("target", "count", "earliest", "latest", "start", "fits", "why"), CASES)
def test_outpatient_cycle_starts_move_to_fit_consecutive_open_days(
    target: str, count: int, earliest: str, latest: str | None, start: str, fits: bool, why: str
) -> None:
    assert_quoted(CONSECUTIVE)
    rules = rules_for("dermatomyositis")
    placed = place_days(
        D(target), count, rules, earliest=D(earliest), latest=D(latest) if latest else None
    )
    assert (placed.start, placed.fits) == (D(start), fits), why
    assert len(placed.days) == count
    if fits:
        assert placed.days == tuple(D(start) + timedelta(days=n) for n in range(count))
        assert all(rules.calendar.is_open(day) for day in placed.days)


def test_acute_inpatient_cycles_stay_on_calendar_days() -> None:
    assert_quoted(
        "Fractionated administration (over 3-5 days) is required, , particularly in the case "
        "of renal impairment in these patients who are already very vulnerable."
    )
    rules = rules_for("toxic-epidermal-necrolysis")
    placed = place_days(D("2025-01-09"), 5, rules, earliest=D("2025-01-09"), latest=None)
    assert placed.days == tuple(D("2025-01-09") + timedelta(days=n) for n in range(5))


class MonWedFri:
    """A centre open three days a week: no two open days are consecutive."""

    def is_open(self, day: date) -> bool:
        return day.weekday() in (0, 2, 4)


def test_where_no_date_fits_the_cycle_keeps_its_target_and_the_scheduler_places_it() -> None:
    ward = Ward.start("dermatomyositis", D("2025-01-06"))
    ward.rules = replace(ward.rules, calendar=MonWedFri())
    ward.give_cycle()
    [item] = [w for w in ward.decisions[-1].work_items if w.kind == "place_cycle"]
    pending = ward.course.cycles[-1]
    assert pending.planned_start == D("2025-02-03")  # the target: 4 weeks after day 1
    # Placing cycles is the scheduler's work since issue 13 (the role keeping the chairs).
    assert item.role == "scheduler"
    assert item.data["days"] == [d.isoformat() for d in pending.planned_days]
    assert "consecutive" in item.citation


def test_a_narrow_window_raises_the_work_item_at_the_start_too() -> None:
    narrow = CoursePolicy(outpatient_window=CycleWindow(days_earlier=0, days_later=1))
    rules = replace(rules_for("dermatomyositis"), policy=narrow)
    placed = place_days(D("2025-01-09"), 3, rules, earliest=D("2025-01-09"), latest=None)
    assert (placed.start, placed.fits) == (D("2025-01-09"), False)
    assert placed.days == (D("2025-01-09"), D("2025-01-10"), D("2025-01-13"))


def test_every_planning_step_places_the_cycle() -> None:
    """At the start, at completion (never past the maximum interval) and after a hold."""
    ward = Ward.start("dermatomyositis", D("2025-01-09"))  # a Thursday
    assert ward.course.cycles[0].planned_days == (D("2025-01-13"), D("2025-01-14"), D("2025-01-15"))
    ward.give_cycle()
    pending = ward.course.cycles[-1]
    # Target Mon 10 Feb (4 weeks after day 1) fits: kept.
    assert pending.planned_days[0] == D("2025-02-10")
    ward.send("course.held", local(D("2025-02-01")), reason="infection")
    ward.send("course.resumed", local(D("2025-02-13")))  # a Thursday, past the planned days
    moved = ward.course.cycles[-1]
    assert moved.planned_days == (D("2025-02-17"), D("2025-02-18"), D("2025-02-19"))
