"""Every hard rule of a plan, checked again from the bookings alone.

The service refuses to store a plan with a violation, and the property tests run
every random plan through it: no chair double-booked (turnover included), every
booking within its date's opening hours, the nurse ratio kept, each placed cycle's
days booked once each on consecutive open calendar days inside its window, frozen
bookings untouched.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise

from ivig_workflow.scheduling.problem import Booking, Plan, Problem
from ivig_workflow.scheduling.windows import days_needing_chairs


def check_plan(problem: Problem, plan: Plan) -> list[str]:
    wrong: list[str] = []
    every = [*plan.bookings, *problem.kept()]
    wrong += _chairs_and_hours(problem, every)
    wrong += _nurses(problem, every)
    wrong += _cycles(problem, plan)
    return wrong


def _chairs_and_hours(problem: Problem, bookings: list[Booking]) -> list[str]:
    wrong = []
    per_chair: dict[tuple[date, int], list[Booking]] = defaultdict(list)
    for b in bookings:
        cap = problem.capacity.get(b.date)
        if cap is None:
            wrong.append(f"{b.demand} day {b.day}: {b.date} is closed")
            continue
        if not (cap.opens <= b.start < b.end <= cap.closes):
            wrong.append(f"{b.demand} day {b.day}: {b.start}-{b.end} outside opening hours")
        if not 1 <= b.chair <= cap.chairs:
            wrong.append(f"{b.demand} day {b.day}: chair {b.chair} does not exist")
        per_chair[(b.date, b.chair)].append(b)
    for (day, chair), rows in per_chair.items():
        turnover = problem.capacity[day].turnover
        rows.sort(key=lambda b: b.start)
        for before, after in pairwise(rows):
            if after.start < before.end + turnover:
                wrong.append(f"{day} chair {chair}: {before.demand} and {after.demand} overlap")
    return wrong


def _nurses(problem: Problem, bookings: list[Booking]) -> list[str]:
    wrong = []
    per_date: dict[date, list[Booking]] = defaultdict(list)
    for b in bookings:
        per_date[b.date].append(b)
    for day, rows in per_date.items():
        cap = problem.capacity.get(day)
        if cap is None:
            continue
        for moment in {b.start for b in rows}:
            at_once = sum(1 for b in rows if b.start <= moment < b.end)
            if at_once > cap.patients_at_once:
                wrong.append(f"{day} {moment}: {at_once} patients for {cap.patients_at_once}")
    return wrong


def _cycles(problem: Problem, plan: Plan) -> list[str]:
    wrong = []
    booked: dict[str, dict[int, list[Booking]]] = defaultdict(lambda: defaultdict(list))
    for b in plan.bookings:
        booked[b.demand][b.day].append(b)
    unplaced = {u.demand for u in plan.unplaced}
    for demand in problem.demands:
        start = plan.starts.get(demand.id)
        if start is None:
            if demand.id not in unplaced:
                wrong.append(f"{demand.id}: neither placed nor reported unplaced")
            if booked.get(demand.id):
                wrong.append(f"{demand.id}: unplaced but booked")
            continue
        movable = demand.fixed_days is None and not demand.frozen
        if movable and not demand.earliest <= start <= demand.latest:
            wrong.append(f"{demand.id}: starts {start} outside {demand.earliest}..{demand.latest}")
        if movable:
            for offset in range(demand.days):
                if not problem.is_open(start + timedelta(days=offset)):
                    wrong.append(f"{demand.id}: day {offset + 1} on a closed day")
        needed = dict(days_needing_chairs(problem, demand, start))
        got = booked.get(demand.id, {})
        if set(got) != set(needed):
            wrong.append(f"{demand.id}: days booked {sorted(got)}, needed {sorted(needed)}")
        for number, rows in got.items():
            if len(rows) != 1 or rows[0].date != needed.get(number):
                wrong.append(f"{demand.id} day {number}: booked {len(rows)}x, not on its date")
            elif rows[0].end - rows[0].start != demand.minutes[number - 1]:
                wrong.append(f"{demand.id} day {number}: booked for the wrong length")
    return wrong
