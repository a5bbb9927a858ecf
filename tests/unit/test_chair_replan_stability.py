"""A re-plan keeps a booked cycle where it is unless moving gains more than
`weight_move` (real CP-SAT and the greedy pass): each move is a step of the course
and a message to the nurses, so equal plans must not swap cycles back and forth."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from ivig_workflow.scheduling import plan_chairs
from tests.unit.test_chair_planner import MONDAY, demand, problem


@pytest.mark.parametrize("force_fallback", [False, True])
@pytest.mark.parametrize(
    ("booked_at", "stays"),
    [
        (1, True),  # a day from its target: not worth a move (100 < 150)
        (3, False),  # three days: moving back gains 300 > 150
    ],
)
def test_a_booked_cycle_moves_only_for_a_real_gain(
    booked_at: int, stays: bool, force_fallback: bool
) -> None:
    current = MONDAY + timedelta(days=booked_at)
    booked = dataclasses.replace(demand("c1", 1, MONDAY), current=current)
    plan = plan_chairs(problem(booked, force_fallback=force_fallback))
    if force_fallback:  # first come, first served tries where the cycle is first
        assert plan.starts["c1"] == current
    else:
        assert plan.starts["c1"] == (current if stays else MONDAY)


def test_a_cycle_never_booked_goes_to_its_target() -> None:
    plan = plan_chairs(problem(demand("c1", 1, MONDAY)))
    assert plan.starts["c1"] == MONDAY
