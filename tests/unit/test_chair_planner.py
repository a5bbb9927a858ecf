"""The chair planner's decisions on hand-made weeks (real CP-SAT)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from ivig_workflow.scheduling import DayCapacity, Demand, Plan, Problem, check_plan, plan_chairs

MONDAY = date(2026, 3, 2)


def week(
    chairs: int = 2, nurses: int = 8, *, closed: tuple[date, ...] = ()
) -> dict[date, DayCapacity]:
    days = [MONDAY + timedelta(days=n) for n in range(12)]
    return {
        day: DayCapacity(day, chairs, 480, 1080, nurses, 15)
        for day in days
        if day.weekday() < 5 and day not in closed
    }


def demand(name: str, days: int, target: date, minutes: int = 300, *, after: int = 7) -> Demand:
    return Demand(name, (minutes,) * days, target, target, target + timedelta(days=after))


def problem(*demands: Demand, **changes: object) -> Problem:
    base = Problem(
        start=MONDAY,
        end=MONDAY + timedelta(days=11),
        capacity=week(),
        demands=demands,
        time_limit=2.0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_cycle_is_never_split_over_a_closed_day() -> None:
    """Three days targeted on Thursday cannot run Thu, Fri, Mon: it starts Monday."""
    plan = plan_chairs(problem(demand("c1", 3, MONDAY + timedelta(days=3))))
    assert plan.starts["c1"] == MONDAY + timedelta(days=7)
    assert [b.date.weekday() for b in plan.bookings] == [0, 1, 2]


def test_a_closure_moves_the_cycle_within_its_window() -> None:
    closed = MONDAY + timedelta(days=1)
    plan = plan_chairs(problem(demand("c1", 2, MONDAY), capacity=week(closed=(closed,))))
    assert plan.starts["c1"] == MONDAY + timedelta(days=2)


def test_a_full_day_moves_the_cycle_rather_than_overbooking() -> None:
    """Two chairs of 10 hours take two 8-hour days, never three."""
    many = [demand(f"c{n}", 1, MONDAY, 480) for n in range(3)]
    for plan in (plan_chairs(problem(*many)), plan_chairs(problem(*many, force_fallback=True))):
        assert check_plan(problem(*many), plan) == []
        days = sorted((s - MONDAY).days for s in plan.starts.values())
        assert len(days) == 3 and days.count(0) <= 2


def test_a_cycle_with_no_room_in_its_window_is_unplaced_with_the_reason() -> None:
    many = [demand(f"c{n}", 1, MONDAY, 480, after=0) for n in range(3)]
    plan = plan_chairs(problem(*many))
    assert len(plan.unplaced) == 1
    assert "no chair and nurse free" in plan.unplaced[0].reason


def test_an_empty_window_is_named() -> None:
    late = Demand("c1", (300,), MONDAY + timedelta(days=3), MONDAY + timedelta(days=3), MONDAY)
    plan = plan_chairs(problem(late))
    assert plan.unplaced[0].reason.startswith("its window is empty")


def test_the_nurse_ratio_staggers_patients() -> None:
    """One nurse for two patients at once and three chairs: never three infusing."""
    many = [demand(f"c{n}", 1, MONDAY, 120, after=0) for n in range(3)]
    plan = plan_chairs(problem(*many, capacity=week(chairs=3, nurses=2)))
    assert not plan.unplaced
    starts = sorted(b.start for b in plan.bookings)
    assert starts[2] >= starts[0] + 120


def test_the_optimiser_levels_the_load_where_first_come_first_served_piles_up() -> None:
    """Six one-day cycles all targeted on Monday with a week's window: the greedy pass
    fills Monday; the optimiser spreads what it may without moving anyone far."""
    many = [demand(f"c{n}", 1, MONDAY, 240, after=3) for n in range(6)]
    greedy = plan_chairs(problem(*many, force_fallback=True))
    best = plan_chairs(problem(*many))
    assert greedy.solver == "fallback" and best.solver in ("optimal", "feasible")
    assert per_day(best) <= per_day(greedy)
    assert check_plan(problem(*many), best) == []


def per_day(plan: Plan) -> int:
    return max(
        sum(1 for b in plan.bookings if b.date == day) for day in {b.date for b in plan.bookings}
    )


def test_a_tiny_time_limit_still_gives_a_valid_plan() -> None:
    many = [demand(f"c{n}", 2, MONDAY + timedelta(days=n % 5), 300) for n in range(12)]
    tight = problem(*many, time_limit=0.001)
    plan = plan_chairs(tight)
    assert check_plan(tight, plan) == []
    assert len(plan.starts) + len(plan.unplaced) == 12
