"""Which steps give chairs back or ask for them (`ChairsChanged`, issue 13), from the
pure state machine: one row per kind of step, the cycles it frees from which day,
and whether the centre is asked for chairs again.

The guideline is silent on chairs; every change cites the workflow policy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from ivig_workflow.domain.course.chair_changes import chair_changes
from ivig_workflow.domain.course.chair_effect import ChairsChanged
from ivig_workflow.domain.course.decision import Decision
from tests.unit.course_factories import Ward, local

START = date(2025, 1, 6)  # a Monday
D = date.fromisoformat


def one(decision: Decision) -> ChairsChanged | None:
    changes = decision.chair_changes
    assert len(changes) <= 1
    return changes[0] if changes else None


def active() -> Ward:
    """Cycle 1 given; cycle 2 planned four weeks on."""
    ward = Ward.start("dermatomyositis", START)
    ward.give_cycle()
    return ward


Step = Callable[[Ward], Decision]


def _hold(ward: Ward) -> Decision:
    return ward.send("course.held", local(D("2025-01-20")), reason="infection")


def _discontinue(ward: Ward) -> Decision:
    return ward.send("course.discontinued", local(D("2025-01-20")), reason="no response")


def _complete(ward: Ward) -> Decision:
    return ward.send("course.completed", local(D("2025-01-20")), reason="healed")


def _weight(ward: Ward) -> Decision:
    return ward.send("observation.recorded", local(D("2025-01-20")), weight_kg=95)


def _release(ward: Ward) -> Decision:
    return ward.tick(local(ward.course.cycles[1].planned_start - timedelta(days=7), 6))


# step, freed cycles, needs chairs again, words in `why`
CASES: list[tuple[str, Step, set[int], bool, str]] = [
    ("a hold frees the planned cycle", _hold, {2}, False, "course on_hold"),
    ("a discontinuation frees it", _discontinue, {2}, False, "course discontinued"),
    ("a completion frees it", _complete, {2}, False, "course completed"),
    ("a new weight re-plans its chair time", _weight, {2}, True, "planned anew"),
]


@pytest.mark.parametrize(
    ("step", "freed", "needed", "why"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_steps_that_change_booked_days(step: Step, freed: set[int], needed: bool, why: str) -> None:
    ward = active()
    change = one(step(ward))
    assert change is not None
    assert {f.cycle for f in change.freed} == freed
    assert all(f.from_day == D("2025-01-20") and f.days is None for f in change.freed)
    assert why in change.why
    assert change.centre == "main" and change.role == "scheduler"
    assert change.citation.startswith("ivig-workflow policy:")
    if needed:
        assert change.needed_from == D("2025-01-20")


def test_a_release_changes_no_booked_day() -> None:
    ward = active()
    assert one(_release(ward)) is None


def test_a_new_course_and_the_next_cycle_ask_for_chairs() -> None:
    ward = Ward.start("dermatomyositis", START)
    started = one(ward.decisions[0])
    assert started is not None and started.freed == () and started.needed_from == START
    last = ward.give_cycle()[-1]
    planned = one(last)
    assert planned is not None and planned.freed == ()
    assert planned.needed_from == ward.course.cycles[1].planned_start


def test_a_resume_asks_for_chairs_again_and_a_new_weight_while_held_changes_none() -> None:
    ward = active()
    _hold(ward)
    assert one(ward.send("observation.recorded", local(D("2025-01-21")), weight_kg=90)) is None
    resumed = one(ward.send("course.resumed", local(D("2025-01-22"))))
    assert resumed is not None and resumed.freed == ()
    assert resumed.needed_from == ward.course.cycles[1].planned_start


def test_a_day_given_early_frees_that_day_only() -> None:
    ward = active()
    cycle = ward.course.cycles[1]
    early = cycle.planned_start - timedelta(days=10)
    change = one(
        ward.send(
            "infusion.administered",
            local(early),
            cycle=2,
            day=1,
            dose_g=cycle.day_doses_g[0],
            product="privigen",
            lot_numbers=["L-1"],
        )
    )
    assert change is not None
    [freed] = change.freed
    assert (freed.cycle, freed.days, freed.from_day) == (2, (1,), early + timedelta(days=1))


def test_the_planners_own_move_and_the_ward_indications_change_no_chairs() -> None:
    ward = active()
    before = ward.course
    moved = before.replace_cycle(
        before.cycles[1].model_copy(
            update={
                "planned_days": tuple(d + timedelta(days=1) for d in before.cycles[1].planned_days)
            }
        )
    )
    at = local(D("2025-01-20"))
    assert chair_changes(before, moved, "cycle.rescheduled", at, ward.rules) == ()
    assert chair_changes(before, moved, "tick", at, ward.rules) != ()
    kawasaki = Ward.start("kawasaki-disease", START)
    assert kawasaki.decisions[0].chair_changes == ()
