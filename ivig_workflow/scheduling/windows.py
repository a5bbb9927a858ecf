"""Where a cycle may start: consecutive calendar days, every one of them open.

A cycle is never split over a closed day (the guideline's days of a cycle are given
in a row); the start moves inside the cycle's window instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from ivig_workflow.scheduling.problem import Demand, Problem


def cycle_dates(demand: Demand, start: date) -> tuple[date, ...]:
    if demand.fixed_days is not None:
        return demand.fixed_days
    return tuple(start + timedelta(days=offset) for offset in range(demand.days))


def frozen_days(demand: Demand) -> frozenset[int]:
    return frozenset(booking.day for booking in demand.frozen)


def days_needing_chairs(problem: Problem, demand: Demand, start: date) -> list[tuple[int, date]]:
    """(day number, date) of the days still to book: from the horizon on, not frozen."""
    kept = frozen_days(demand)
    return [
        (number, day)
        for number, day in enumerate(cycle_dates(demand, start), start=1)
        if day >= problem.start and number not in kept
    ]


def candidate_starts(problem: Problem, demand: Demand) -> list[date]:
    """Every start in the window whose days needing a chair are all open, nearest
    the target first (earlier first on a tie), so the greedy pass tries them in order."""
    if demand.fixed_days is not None or demand.frozen:
        first = demand.fixed_days[0] if demand.fixed_days else _frozen_start(demand)
        starts = [first]
    else:
        span = (demand.latest - demand.earliest).days
        starts = [demand.earliest + timedelta(days=n) for n in range(max(span + 1, 0))]
    movable = demand.fixed_days is None and not demand.frozen
    fitting = [
        start
        for start in starts
        # A cycle that may move starts within the horizon, every one of its days open.
        if (not movable or start >= problem.start)
        and all(problem.is_open(day) for _, day in days_needing_chairs(problem, demand, start))
    ]
    return sorted(fitting, key=lambda start: (abs((start - demand.target).days), start))


def _frozen_start(demand: Demand) -> date:
    """Day 1 of a cycle known only by its frozen bookings."""
    first = min(demand.frozen, key=lambda booking: booking.day)
    return first.date - timedelta(days=first.day - 1)


def why_no_start(problem: Problem, demand: Demand) -> str:
    if demand.fixed_days is not None or demand.frozen:
        return "the cycle cannot move and one of its days falls on a closed day"
    if demand.latest < demand.earliest:
        return (
            f"its window is empty: the latest allowed start {demand.latest} is before the "
            f"earliest {demand.earliest}"
        )
    return (
        f"no {demand.days} consecutive open days start between {demand.earliest} "
        f"and {demand.latest}"
    )
