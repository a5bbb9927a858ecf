"""The chair planner on random small weeks: every hard rule holds, with CP-SAT and
with the greedy fallback (real OR-Tools, no mocks)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivig_workflow.scheduling import (
    Booking,
    DayCapacity,
    Demand,
    Problem,
    check_plan,
    plan_chairs,
)

MONDAY = date(2026, 3, 2)
CLOSED = {date(2026, 3, 11)}  # a Wednesday closure inside the fortnight


def capacity(chairs: int, nurses: int, turnover: int) -> dict[date, DayCapacity]:
    days = {}
    for offset in range(28):
        day = MONDAY + timedelta(days=offset)
        if day.weekday() < 5 and day not in CLOSED:
            closes = 960 if day.weekday() == 4 else 1080  # a short Friday
            days[day] = DayCapacity(day, chairs, 480, closes, nurses, turnover)
    return days


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    chairs = draw(st.integers(1, 4))
    nurses = draw(st.integers(1, 5))
    turnover = draw(st.sampled_from([0, 15, 30]))
    demands = []
    for number in range(draw(st.integers(1, 12))):
        days = draw(st.integers(1, 4))
        minutes = tuple(draw(st.sampled_from([60, 150, 240, 420, 600])) for _ in range(days))
        target = MONDAY + timedelta(days=draw(st.integers(0, 13)))
        before, after = draw(st.integers(0, 3)), draw(st.integers(0, 7))
        demands.append(
            Demand(
                id=f"c{number}",
                minutes=minutes,
                target=target,
                earliest=max(MONDAY, target - timedelta(days=before)),
                latest=target + timedelta(days=after),
            )
        )
    return Problem(
        start=MONDAY,
        end=MONDAY + timedelta(days=13),
        capacity=capacity(chairs, nurses, turnover),
        demands=tuple(demands),
        time_limit=2.0,
        morning_starts=draw(st.integers(0, 3)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.booleans())
def test_no_plan_breaks_a_hard_rule(problem: Problem, fallback: bool) -> None:
    """No chair double-booked, opening hours and nurse ratio kept, every placed cycle
    on consecutive open days inside its window, every other one reported."""
    plan = plan_chairs(dataclasses.replace(problem, force_fallback=fallback))
    assert check_plan(problem, plan) == []
    placed = set(plan.starts)
    assert placed | {u.demand for u in plan.unplaced} == {d.id for d in problem.demands}
    assert all(u.reason for u in plan.unplaced)


@settings(max_examples=10, deadline=None)
@given(problems())
def test_the_same_problem_gives_the_same_plan(problem: Problem) -> None:
    first, second = plan_chairs(problem), plan_chairs(problem)
    assert (first.bookings, first.starts, first.unplaced) == (
        second.bookings,
        second.starts,
        second.unplaced,
    )


@settings(max_examples=20, deadline=None)
@given(problems(), st.integers(0, 3))
def test_frozen_bookings_stay_and_block_their_chair(problem: Problem, chair_offset: int) -> None:
    cap = problem.capacity[MONDAY]
    chair = 1 + chair_offset % cap.chairs
    frozen = Booking("held", 1, MONDAY, chair, 480, 480 + 300)
    held = Demand("held", (300,), MONDAY, MONDAY, MONDAY, fixed_days=(MONDAY,), frozen=(frozen,))
    with_frozen = dataclasses.replace(problem, demands=(held, *problem.demands))
    plan = plan_chairs(with_frozen)
    assert check_plan(with_frozen, plan) == []
    # The frozen day is not booked again, and nothing else sits in its chair then.
    assert not [b for b in plan.bookings if b.demand == "held"]
    assert plan.starts["held"] == MONDAY
