"""Hold, resume, adverse events, discontinuation, new measurements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.unit.course_factories import Ward, local

MONDAY = date(2025, 1, 6)


@pytest.mark.parametrize("cycles_before", [0, 1, 6])
def test_resume_returns_to_the_state_before_the_hold(cycles_before: int) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    for _ in range(cycles_before):
        ward.give_cycle()
    before = ward.course.state
    ward.send("course.held", local(date(2025, 7, 1)), reason="infection")
    assert (ward.course.state, ward.course.state_before_hold) == ("on_hold", before)
    ward.send("course.resumed", local(date(2025, 7, 8)))
    assert (ward.course.state, ward.course.state_before_hold) == (before, None)


def test_a_cycle_whose_days_passed_during_the_hold_moves_to_the_next_fitting_days() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.tick(local(MONDAY, 0))
    ward.send("course.held", local(MONDAY, 7), reason="fever")
    ward.send("course.resumed", local(date(2025, 1, 17)))  # a Friday
    cycle = ward.course.cycles[0]
    assert cycle.status == "planned"  # to be released again for the new days
    # Issue 11: consecutive open days, not Fri 17, Mon 20, Tue 21 over the weekend.
    assert cycle.planned_days == (date(2025, 1, 20), date(2025, 1, 21), date(2025, 1, 22))
    released = ward.tick(local(date(2025, 1, 17), 0))
    assert any(w.kind == "book_chairs" for w in released.work_items)


def test_a_severe_adverse_event_holds_the_course_for_a_physician_decision() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle()
    decision = ward.send(
        "adverse_event.reported",
        local(date(2025, 1, 9)),
        severity="severe",
        description="aseptic meningitis",
    )
    assert ward.course.state == "on_hold"
    [item] = decision.work_items
    assert (item.role, item.kind) == ("physician", "physician_decision")
    assert item.data["lots"] == ["LOT-1-3"]


@pytest.mark.parametrize("severity", ["mild", "moderate"])
def test_milder_adverse_events_are_recorded_and_told(severity: str) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle()
    state = ward.course.state
    decision = ward.send(
        "adverse_event.reported", local(date(2025, 1, 9)), severity=severity, description="headache"
    )
    assert ward.course.state == state
    [notice] = decision.notifications
    assert notice.role == "physician"


@pytest.mark.parametrize("cycles_before", [0, 1, 6])
def test_the_physician_can_discontinue_from_any_open_state(cycles_before: int) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    for _ in range(cycles_before):
        ward.give_cycle()
    ward.send("course.discontinued", local(date(2025, 8, 1)), reason="patient wish")
    assert ward.course.state == "discontinued"
    assert ward.send("course.resumed", local(date(2025, 8, 2))).status == "refused"


def test_discontinuing_a_released_cycle_tells_nurses_and_pharmacy() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.tick(local(MONDAY, 0))
    decision = ward.send("course.discontinued", local(MONDAY, 7), reason="patient wish")
    assert {n.role for n in decision.notifications} == {"infusion_nurse", "pharmacy"}
    assert ward.course.cycles[0].status == "skipped"


def test_a_new_weight_replans_cycles_not_released_yet() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle()
    assert ward.course.cycles[-1].plan.total_g == 140
    ward.send("observation.recorded", local(date(2025, 1, 20)), weight_kg=80)
    assert ward.course.measurements.weight_kg == 80
    assert ward.course.cycles[-1].plan.total_g == 160
    assert ward.course.cycles[0].plan.total_g == 140  # given cycles keep their dose


def test_an_older_observation_does_not_overwrite_a_newer_one() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.send("observation.recorded", local(MONDAY + timedelta(days=2)), weight_kg=75)
    ward.send("observation.recorded", local(MONDAY + timedelta(days=1)), weight_kg=90)
    assert ward.course.measurements.weight_kg == 75


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("response.assessed", {"outcome": "good"}),
        ("relapse.reported", {}),
        ("course.resumed", {}),
        ("course.completed", {"reason": "x"}),
    ],
)
def test_events_the_state_has_no_row_for_are_refused_and_raised(
    event: str, data: dict[str, Any]
) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    before = ward.course
    decision = ward.send(event, local(MONDAY), **data)
    assert decision.status == "refused" and decision.rule == "transition_table"
    assert decision.course is before
    assert decision.reason == f"{event} is not allowed in state initiation"
    assert [n.role for n in decision.notifications] == ["operator"]
