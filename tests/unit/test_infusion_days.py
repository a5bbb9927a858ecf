"""Infusion days: any order, each day once, only the current cycle's plan."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.course_factories import Ward, local

MONDAY = date(2025, 1, 6)


def released() -> Ward:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.tick(local(MONDAY, 0))
    return ward


def give(ward: Ward, day: int, cycle: int = 1, key: str | None = None) -> str:
    decision = ward.send(
        "infusion.administered",
        local(MONDAY),
        key=key,
        cycle=cycle,
        day=day,
        dose_g=46.67,
        product="privigen",
        lot_numbers=["A1"],
    )
    return decision.status


def test_days_recorded_in_any_order_complete_the_cycle() -> None:
    ward = released()
    assert [give(ward, d) for d in (3, 1, 2)] == ["applied"] * 3
    first = ward.course.cycles[0]
    assert first.status == "completed"
    assert [i.day for i in first.infusions] == [1, 2, 3]
    assert ward.course.state == "active"  # the first infusion started the course


def test_a_cycle_stays_in_progress_until_every_day_is_recorded() -> None:
    ward = released()
    give(ward, 2)
    assert ward.course.cycles[0].status == "in_progress"
    assert len(ward.course.cycles) == 1


@pytest.mark.parametrize(
    ("day", "cycle", "rule"),
    [
        (4, 1, "infusion.day_in_plan"),
        (1, 2, "infusion.current_cycle_only"),
    ],
)
def test_days_outside_the_current_plan_are_refused(day: int, cycle: int, rule: str) -> None:
    ward = released()
    before = ward.course
    assert give(ward, day, cycle) == "refused"
    decision = ward.decisions[-1]
    assert decision.rule == rule
    assert decision.course is before
    [notice] = decision.notifications
    assert notice.role == "operator" and rule in notice.body


def test_a_day_recorded_twice_under_another_key_is_refused() -> None:
    ward = released()
    give(ward, 1)
    course = ward.course
    assert give(ward, 1) == "refused"
    assert ward.decisions[-1].rule == "infusion.day_recorded_once"
    assert ward.course == course


def test_an_infusion_on_the_planned_day_applies_though_no_sweep_ran() -> None:
    """Issue 11: on a fresh course the sweep never ran; the event catches the course
    up to its own instant (cycle 1 released) and is then applied, as it would be had
    the sweep run first. (This test asserted a refusal before event time.)"""
    ward = Ward.start("dermatomyositis", MONDAY)
    assert give(ward, 1) == "applied"
    decision = ward.decisions[-1]
    assert [(t.trigger, t.rule) for t in decision.transitions] == [
        ("tick", "cycle.released"),
        ("infusion.administered", "course.first_infusion"),
    ]
    assert {t.event_key for t in decision.transitions} == {decision.transitions[-1].event_key}
    assert {e.data.get("cycle") for e in decision.effects} == {1}  # the release's work items
    cycle = ward.course.cycles[0]
    assert (ward.course.state, cycle.status) == ("active", "in_progress")
    assert cycle.released_at == ward.rules.release_at(MONDAY)  # the due instant


def test_the_infusion_keeps_the_lots_and_the_local_date() -> None:
    ward = released()
    ward.send(
        "infusion.administered",
        local(MONDAY, 0),
        cycle=1,
        day=1,
        dose_g=46.67,
        product="privigen",
        lot_numbers=["A1", "B2"],
    )
    [given] = ward.course.cycles[0].infusions
    assert given.lot_numbers == ("A1", "B2")
    assert given.date == MONDAY  # 00:00 in Berlin is still Sunday in UTC
