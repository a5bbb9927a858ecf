"""The CP-SAT model: which date each cycle starts on.

Per cycle exactly one literal per possible start in its window (consecutive open
days). Per date the chair-minutes booked (each day plus its turnover) beyond
`fill` x chairs x opening minutes, and the patient-minutes beyond the nurses' share,
are overflow, heavily penalised: soft, so the model is always feasible and easy to
improve, while the packing pass below keeps the hard limits. Soft too: days away
from the target date, the busiest date's share of its chair-minutes, and each
date's share beyond `level` (level load).

Times of day and chairs are left to the packing pass (`greedy.pack`), which books
each day into a real chair at a real time and so never overbooks; a day the pass
cannot fit moves its cycle to the next start in its window. Measured: a model that
also timed every day on every candidate date (optional intervals, cumulatives per
date) did not improve on its own greedy hint within 5 s at 250 cycles with one
worker; this one solves 8 weeks of 100 cycles to optimality in half a second
and gives a feasible plan for 150-200 cycles within its budget.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from ivig_workflow.scheduling.problem import Problem
from ivig_workflow.scheduling.windows import days_needing_chairs

OVERFLOW_COST = 10_000  # per minute over: worse than moving a cycle by any day
PER_MILLE = 1000


@dataclass
class Model:
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choice: dict[str, dict[date, cp_model.IntVar]] = field(default_factory=dict)


def build(problem: Problem, candidates: dict[str, list[date]], fill: float = 1.0) -> Model:
    built = Model()
    m = built.model
    chair_load: dict[date, list[cp_model.LinearExprT]] = defaultdict(list)
    patient_load: dict[date, list[cp_model.LinearExprT]] = defaultdict(list)
    fixed_chair: dict[date, int] = defaultdict(int)
    fixed_patient: dict[date, int] = defaultdict(int)
    for b in problem.kept():
        if b.date in problem.capacity:
            fixed_chair[b.date] += b.end - b.start + problem.capacity[b.date].turnover
            fixed_patient[b.date] += b.end - b.start
    objective: list[cp_model.LinearExprT] = []
    for demand in problem.demands:
        starts = candidates.get(demand.id, [])
        if not starts:
            continue
        picks = {start: m.new_bool_var(f"{demand.id}@{start}") for start in starts}
        m.add_exactly_one(picks.values())
        built.choice[demand.id] = picks
        for start, pick in picks.items():
            away = abs((start - demand.target).days)
            if away:
                objective.append(problem.weight_distance * away * pick)
            if demand.current is not None and start != demand.current:
                objective.append(problem.weight_move * pick)
            for number, day in days_needing_chairs(problem, demand, start):
                minutes = demand.minutes[number - 1]
                chair_load[day].append((minutes + problem.capacity[day].turnover) * pick)
                patient_load[day].append(minutes * pick)
    peak = m.new_int_var(0, 10 * PER_MILLE, "peak")
    for day, parts in chair_load.items():
        cap = problem.capacity[day]
        opening = cap.closes - cap.opens
        # The last patient's turnover may run past closing, hence one turnover per chair.
        room = int(cap.chairs * (opening + cap.turnover) * fill) - fixed_chair[day]
        nurses = int(min(cap.patients_at_once, cap.chairs) * opening * fill) - fixed_patient[day]
        for load, limit in ((sum(parts), room), (sum(patient_load[day]), nurses)):
            over = m.new_int_var(0, 10 * cap.chair_minutes, "")
            m.add(over >= load - limit)
            objective.append(OVERFLOW_COST * over)
        booked = sum(patient_load[day]) + fixed_patient[day]
        m.add(peak * cap.chair_minutes >= booked * PER_MILLE)
        # Level load day by day, not only the busiest day: each per mille of a date's
        # chair-minutes booked beyond `level` costs like the peak's.
        if problem.weight_peak:
            above = m.new_int_var(0, 10 * PER_MILLE, "")
            m.add((above + problem.level) * cap.chair_minutes >= booked * PER_MILLE)
            objective.append(problem.weight_peak * above)
    if problem.weight_peak:
        objective.append(problem.weight_peak * peak)
    m.minimize(sum(objective))
    return built


def hint(built: Model, starts: dict[str, date]) -> None:
    """Start the search from the greedy plan: the optimiser then only improves on it."""
    # A cycle the greedy pass left out gets no start in the hint (all literals false):
    # measured, that search found plans with far less overflow than one hinting such
    # cycles at their target date, from which the single worker barely moved.
    for demand, picks in built.choice.items():
        chosen = starts.get(demand)
        for start, pick in picks.items():
            built.model.add_hint(pick, start == chosen)
