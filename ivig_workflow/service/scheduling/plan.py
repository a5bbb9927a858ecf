"""`plan_centre`: re-plan one centre's chairs for the horizon, in one transaction.

Bookings dated inside the freeze window (the next `freeze_days` days) are kept, and
so is every other booking of their cycle; bookings of cycles this run does not plan
(beyond the horizon, no longer open) are kept too. All of them block their chairs.
Every other booking of the centre from today on is replaced by the new plan. A
cycle that cannot be placed raises a `book_chairs` work item for the scheduler
(the role that keeps the chairs), never a silent overbooking; a plan that fails
`check_plan` is not stored. The plan takes the centre's re-plan marks it saw
(`db/chair_marks.py`) and first frees chairs a stopped course still holds; a cycle
whose bookings in the freeze window a step freed is booked again on its own dates.

`moved` lists the cycles placed on other days than their course has. Each becomes
its course's `cycle.rescheduled` step in the same transaction (`rescheduling`),
always, whoever calls: the CLI, the daily flow and the demo cannot forget it, and
the bookings never say one date while the course says another. A move the course
refuses gives up that cycle's new bookings and raises a `book_chairs` work item
with the course's reason, like a cycle with no room.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from ivig_workflow.db.chair_marks import free_stale, freed_in_window, marks_seen, replanned
from ivig_workflow.db.effect_rows import write_effects
from ivig_workflow.db.tables import BookingRow
from ivig_workflow.domain.course.model import RELEASING_STATES
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.scheduling import Demand, Plan, Problem, check_plan, plan_chairs
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.booking_rows import (
    TAIL,
    booked_from,
    booking,
    replace_bookings,
)
from ivig_workflow.service.scheduling.capacity_days import capacity_days
from ivig_workflow.service.scheduling.demand import CycleNeed, read_needs
from ivig_workflow.service.scheduling.freeing import free_bookings
from ivig_workflow.service.scheduling.report import (
    Moved,
    ScheduleReport,
    moved_cycles,
    unplaced_item,
)
from ivig_workflow.service.scheduling.rescheduling import RefusedMove, record_moves
from ivig_workflow.service.unit_of_work import UnitOfWork


def plan_centre(
    engine: Engine,
    rulebook: Rulebook,
    centre: str,
    *,
    now: datetime,
    first: date | None = None,
    weeks: int | None = None,
    force_fallback: bool = False,
    on_moved: Callable[[UnitOfWork, list[Moved]], None] | None = None,
) -> ScheduleReport:
    """Re-plan `centre` from `first` (default: today at the centre) for `weeks`.

    Every moved cycle becomes a `cycle.rescheduled` step of its course inside the
    transaction that writes the bookings. `on_moved(uow, moved)` runs after those
    steps, before the commit, with the moves the courses took: a seam for more work
    in the same transaction (if it raises, nothing is stored).
    """
    place = rulebook.centres.centre(centre)
    policy = rulebook.centres.scheduling
    first = first or now.astimezone(place.zone).date()
    weeks = weeks or policy.horizon_weeks
    if not 1 <= weeks <= 52:
        raise InputError("weeks", "must be between 1 and 52")
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    freeze_end = first + timedelta(days=policy.freeze_days)
    report = ScheduleReport(centre=centre, first=first, last=last)
    started = clock.perf_counter()
    with UnitOfWork(engine) as uow:
        session = uow.session
        # The marks this plan answers; chairs a stopped course still holds are freed.
        seen = marks_seen(session.connection(), centre)
        free_stale(session.connection(), centre, first, RELEASING_STATES, now)
        needs = {
            n.key: n for n in read_needs(session, rulebook.guideline, policy, centre, first, last)
        }
        existing = booked_from(session, centre, first)
        pinned = freed_in_window(session.connection(), centre, first, freeze_end)
        frozen_keys = {
            key
            for key, rows in existing.items()
            if key in needs and any(r.date < freeze_end for r in rows)
        }
        problem = Problem(
            start=first,
            end=last,
            capacity=capacity_days(
                place,
                rulebook.centres.capacity(centre),
                HolidayCalendar(place),
                first,
                last + TAIL,
            ),
            demands=tuple(
                _demand(
                    need,
                    existing.get(key, []),
                    frozen=key in frozen_keys,
                    pinned=(need.course_id, need.cycle) in pinned,
                )
                for key, need in needs.items()
            ),
            blocked=tuple(
                booking(key, row)
                for key, rows in existing.items()
                if key not in needs
                for row in rows
            ),
            slot=policy.slot_minutes,
            morning_starts=policy.morning_starts,
            weight_distance=policy.weight_distance,
            weight_peak=policy.weight_peak,
            level=policy.level_per_mille,
            weight_ramp=policy.weight_ramp,
            weight_move=policy.weight_move,
            time_limit=policy.time_limit_seconds,
            seed=policy.random_seed,
            force_fallback=force_fallback,
        )
        plan = plan_chairs(problem)
        wrong = check_plan(problem, plan)
        if wrong:  # never store an overbooking, whatever went wrong upstream
            raise RuntimeError(f"chair plan for {centre} breaks a hard rule: {wrong[:3]}")
        replaced = [key for key in needs if key not in frozen_keys]
        replace_bookings(session, centre, first, replaced, plan, needs, now)
        items = [
            unplaced_item(needs[u.demand], u.reason, rulebook, place.zone, now)
            for u in plan.unplaced
        ]
        write_effects(session.connection(), [(item, now) for item in items])
        moves = moved_cycles(plan, needs, frozen_keys, rulebook)
        refused = record_moves(uow, moves, rulebook=rulebook, now=now)  # the course's step
        given_up = _give_up(uow, refused, needs, rulebook, place.zone, first, now)
        report.moved = [m for m in moves if m not in {r.moved for r in refused}]
        if on_moved is not None and report.moved:
            on_moved(uow, report.moved)
        replanned(session.connection(), centre, seen, now)
        uow.commit()
    report.seconds = clock.perf_counter() - started
    report.solver = plan.solver
    report.bookings = len(plan.bookings) - given_up
    report.unplaced = [
        {"course_id": needs[u.demand].course_id, "cycle": needs[u.demand].cycle, "reason": u.reason}
        for u in plan.unplaced
    ] + [
        {"course_id": r.moved.course_id, "cycle": r.moved.cycle, "reason": _refusal_words(r)}
        for r in refused
    ]
    report.utilisation = _utilisation(problem, plan)
    return report


def _refusal_words(refused: RefusedMove) -> str:
    return (
        f"the course refused the move to {refused.moved.new_start} ({refused.rule}): "
        f"{refused.reason}"
    )


def _give_up(
    uow: UnitOfWork,
    refused: list[RefusedMove],
    needs: dict[str, CycleNeed],
    rulebook: Rulebook,
    zone: Any,
    first: date,
    now: datetime,
) -> int:
    """Cancel the new bookings of each move its course refused, and ask the nurses to
    book that cycle by hand; how many bookings were given up."""
    given_up = 0
    items = []
    for move in refused:
        need = needs[f"{move.moved.course_id}:{move.moved.cycle}"]
        given_up += free_bookings(
            uow.session, need.course_id, from_day=first, now=now, cycles=[need.cycle]
        )
        items.append(unplaced_item(need, _refusal_words(move), rulebook, zone, now))
    write_effects(uow.session.connection(), [(item, now) for item in items])
    return given_up


def _demand(
    need: CycleNeed, booked: list[BookingRow], *, frozen: bool, pinned: bool = False
) -> Demand:
    """The cycle to place; where it is booked now, if it is (a re-plan keeps it there
    unless moving gains more than `weight_move`); its bookings kept if `frozen`. A
    `pinned` cycle, whose bookings in the freeze window a step freed (a new chair
    time), keeps its dates: patients were told, product is ordered."""
    fixed = need.started or (frozen and bool(booked)) or pinned
    return Demand(
        id=need.key,
        minutes=need.minutes,
        target=need.target,
        earliest=need.earliest,
        latest=need.latest,
        fixed_days=need.planned_days if fixed else None,
        frozen=tuple(booking(need.key, row) for row in booked) if frozen else (),
        current=need.planned_days[0] if booked else None,
    )


def _utilisation(problem: Problem, plan: Plan) -> float:
    """Booked chair-minutes over the horizon's chair-minutes (kept bookings included)."""
    days = [d for d in problem.capacity if problem.start <= d <= problem.end]
    room = sum(problem.capacity[d].chair_minutes for d in days)
    booked = sum(
        b.end - b.start
        for b in [*plan.bookings, *problem.kept()]
        if problem.start <= b.date <= problem.end
    )
    return round(booked / room, 3) if room else 0.0
