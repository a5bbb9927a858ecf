"""`plan_chairs`: the greedy plan, then CP-SAT's dates, then chairs and times.

Deterministic for the same problem: one search worker, a fixed seed, and a
deterministic time budget (`max_deterministic_time`, the solver's own count of
work, not the wall clock) of a sixteenth of `time_limit`, which took 1.5-2 s of
wall time for 8 weeks of 150-200 cycles on this 2-core machine; the wall-clock
`time_limit` bounds the whole call (greedy pass, model, solver, packing) on a slow
machine, and a plan it cut short says so in `notes` (it may then differ from run
to run). The optimiser's dates are booked by the same packing pass as the greedy
plan, so every plan keeps the hard rules by construction (and `check_plan`
verifies them). When the optimiser has no
solution in time, or its dates place fewer cycles than first come first served,
the greedy plan is the answer (`solver == "fallback"`).
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from ivig_workflow.scheduling import model as cp
from ivig_workflow.scheduling.greedy import pack
from ivig_workflow.scheduling.problem import Booking, Plan, Problem
from ivig_workflow.scheduling.windows import candidate_starts


def plan_chairs(problem: Problem) -> Plan:
    if not problem.demands:
        return Plan(bookings=(), starts={}, unplaced=(), solver="empty")
    started = time.perf_counter()
    greedy_bookings, greedy_starts, greedy_unplaced = pack(problem)
    packing = time.perf_counter() - started
    fallback = Plan(
        bookings=_ordered(greedy_bookings),
        starts=greedy_starts,
        unplaced=tuple(greedy_unplaced),
        solver="fallback",
    )
    if problem.force_fallback:
        return fallback
    candidates = {d.id: candidate_starts(problem, d) for d in problem.demands}
    built = cp.build(problem, candidates, fill=problem.fill)
    cp.hint(built, greedy_starts)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = problem.seed
    solver.parameters.max_deterministic_time = problem.time_limit / 16
    # The whole plan keeps to the time limit: what the greedy pass and the model took
    # so far, and one more packing pass after the solver, come off the solver's share.
    spent = time.perf_counter() - started
    solver.parameters.max_time_in_seconds = max(0.05, problem.time_limit - spent - packing)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return fallback
    chosen = {
        demand: start
        for demand, picks in built.choice.items()
        for start, pick in picks.items()
        if solver.boolean_value(pick)
    }
    bookings, starts, unplaced = pack(problem, chosen)
    if len(unplaced) > len(greedy_unplaced):
        return fallback
    notes: tuple[str, ...] = ()
    if status != cp_model.OPTIMAL and solver.deterministic_time < problem.time_limit / 16 * 0.99:
        notes = ("stopped by the wall-clock cap: the plan may differ from run to run",)
    return Plan(
        bookings=_ordered(bookings),
        starts=starts,
        unplaced=tuple(unplaced),
        solver="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=solver.objective_value,
        notes=notes,
    )


def _ordered(bookings: list[Booking]) -> tuple[Booking, ...]:
    return tuple(sorted(bookings, key=lambda b: (b.date, b.chair, b.start, b.demand, b.day)))
