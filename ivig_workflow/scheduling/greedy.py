"""Booking days into real chairs at real times, cycle by cycle.

`pack` takes cycles in order of their target date (first come, first served); each
tries the start the optimiser chose for it, then where it is booked now (a re-plan),
then the others of its window nearest the target first, and takes the first at
which every day finds a chair and a nurse, each day at its earliest free slot.
Without the optimiser's choices it is the fallback when the optimiser finds
nothing in time, and the benchmark's baseline.
"""

from __future__ import annotations

from datetime import date

from ivig_workflow.scheduling.day_board import DayBoard
from ivig_workflow.scheduling.problem import Booking, Demand, Problem, Unplaced
from ivig_workflow.scheduling.windows import candidate_starts, days_needing_chairs, why_no_start


def boards_with_frozen(problem: Problem) -> dict[date, DayBoard]:
    boards = {
        day: DayBoard(capacity, problem.slot, problem.morning_starts)
        for day, capacity in problem.capacity.items()
    }
    for booking in problem.kept():
        if booking.date in boards:
            boards[booking.date].book(booking.chair, booking.start, booking.end - booking.start)
    return boards


def pack(
    problem: Problem, preferred: dict[str, date] | None = None
) -> tuple[list[Booking], dict[str, date], list[Unplaced]]:
    boards = boards_with_frozen(problem)
    bookings: list[Booking] = []
    starts: dict[str, date] = {}
    unplaced: list[Unplaced] = []
    # Cycles that cannot move go first: they have no other day to go to.
    order = sorted(
        problem.demands,
        key=lambda d: (d.fixed_days is None and not d.frozen, d.target, d.id),
    )
    for demand in order:
        candidates = candidate_starts(problem, demand)
        # The optimiser's start first, then where the course has the cycle now (a
        # re-plan that cannot keep the optimiser's start does not swap equal cycles).
        wanted = ((preferred or {}).get(demand.id), demand.current)
        first = [start for start in dict.fromkeys(wanted) if start in candidates]
        candidates = [*first, *(start for start in candidates if start not in first)]
        if not candidates:
            unplaced.append(Unplaced(demand.id, why_no_start(problem, demand)))
            continue
        for start in candidates:
            placed = _try_start(problem, boards, demand, start)
            if placed is not None:
                bookings.extend(placed)
                starts[demand.id] = start
                break
        else:
            unplaced.append(Unplaced(demand.id, _full(demand)))
    return bookings, starts, unplaced


def _try_start(
    problem: Problem, boards: dict[date, DayBoard], demand: Demand, start: date
) -> list[Booking] | None:
    """Book every day of the cycle from `start`, or nothing at all."""
    made: list[tuple[DayBoard, Booking]] = []
    for number, day in days_needing_chairs(problem, demand, start):
        board = boards[day]
        minutes = demand.minutes[number - 1]
        fit = board.earliest_fit(minutes)
        if fit is None:
            for undone, booking in made:
                undone.chairs[booking.chair - 1].pop()
                undone.infusing.pop()
            return None
        chair, at = fit
        board.book(chair, at, minutes)
        made.append((board, Booking(demand.id, number, day, chair, at, at + minutes)))
    return [booking for _, booking in made]


def _full(demand: Demand) -> str:
    return (
        f"no chair and nurse free for all {demand.days} days at any start between "
        f"{demand.earliest} and {demand.latest}"
    )
