"""The chair scheduler moves a cycle not yet begun: `cycle.rescheduled` (issue 13).

Dermatomyositis, 70 kg: 3 consecutive days every 4 weeks; cycle 1 on Mon 6 to Wed
8 January 2025, cycle 2 planned from Mon 3 February (its target). The main centre
is closed at weekends. Each row quotes the passage, or names the policy, it checks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ivig_workflow.domain.course.effects import WorkItemClosed
from ivig_workflow.domain.course.events import CycleRescheduled, parse_ward_event
from ivig_workflow.domain.course.guards import GUARDS, GuardContext
from ivig_workflow.domain.course.handlers.release import release_effects
from ivig_workflow.domain.course.replay import RecordedStep, replay
from ivig_workflow.domain.course.transitions import decide, start_course, tick
from ivig_workflow.domain.errors import InputError
from tests.unit.course_factories import (
    Ward,
    assert_quoted,
    course_start,
    local,
    rules_for,
    ward_event,
)

MONDAY = date(2025, 1, 6)
CYCLE_2 = date(2025, 2, 3)
INTERVAL_QUOTE = (
    "If a good clinical response is achieved, the interval can be increased gradually to a "
    "maximum of 6 weeks. Longer intervals between infusions are not recommended because of "
    "the half-life of IVIG (approximately 3 weeks)."
)
DAYS_QUOTE = "Administration of the immunoglobulin should be spread over 2-5 consecutive days."
WINDOW_POLICY = "config/course-policy.yaml: outpatient_window"


def days_from(start: date, count: int = 3) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def rescheduled(
    start: date,
    *,
    at: datetime | None = None,
    cycle: int = 2,
    days: list[date] | None = None,
    target: date = CYCLE_2,
    earliest: date | None = None,
    latest: date | None = None,
    key: str = "s-1",
) -> CycleRescheduled:
    return CycleRescheduled(
        type="cycle.rescheduled",
        course_id="c-1",
        key=key,
        occurred_at=at or local(date(2025, 1, 20), 6),
        actor="scheduler",
        data={
            "cycle": cycle,
            "start": start,
            "days": days if days is not None else days_from(start),
            "target": target,
            "earliest": earliest or target - timedelta(days=3),
            "latest": latest or target + timedelta(days=7),
            "reason": "chairs: level the centre's load",
            "rule": "chairs.level_load",
            "citation": "EDF/EADV IVIg guideline, interval",
        },
    )


def first_cycle_given() -> Ward:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.give_cycle()
    assert ward.course.cycles[1].planned_days == tuple(days_from(CYCLE_2))
    return ward


def move(ward: Ward, event: CycleRescheduled) -> Any:
    decision = decide(ward.course, event, event.occurred_at, rules=ward.rules)
    ward.decisions.append(decision)
    ward.course = decision.course
    return decision


# (what the scheduler asks, the rule it breaks (None: applied), the passage or policy)
CASES: list[tuple[str, CycleRescheduled, str | None, str]] = [
    ("two days later, Wed to Fri", rescheduled(date(2025, 2, 5)), None, INTERVAL_QUOTE),
    ("one day earlier is a Sunday", rescheduled(date(2025, 2, 2)), "reschedule.days", DAYS_QUOTE),
    (
        "Thu, Fri, Mon: not consecutive",
        rescheduled(date(2025, 2, 6), days=[date(2025, 2, d) for d in (6, 7, 10)]),
        "reschedule.days",
        DAYS_QUOTE,
    ),
    (
        "two days for a three-day cycle",
        rescheduled(date(2025, 2, 5), days=days_from(date(2025, 2, 5), 2)),
        "reschedule.days",
        DAYS_QUOTE,
    ),
    (
        "outside the window it names",
        rescheduled(date(2025, 2, 4), latest=date(2025, 2, 3)),
        "reschedule.outside_window",
        WINDOW_POLICY,
    ),
    (
        "eight days after its target: past the course's own window",
        rescheduled(date(2025, 2, 11), latest=date(2025, 2, 20)),
        "reschedule.outside_window",
        WINDOW_POLICY,
    ),
    (
        "before the day of the move",
        rescheduled(date(2025, 2, 4), at=local(date(2025, 2, 5), 6)),
        "reschedule.outside_window",
        WINDOW_POLICY,
    ),
    (
        "counted from a stale target",
        rescheduled(date(2025, 2, 5), target=date(2025, 2, 4)),
        "reschedule.stale_target",
        WINDOW_POLICY,
    ),
    ("to where it is", rescheduled(CYCLE_2), "reschedule.unchanged", WINDOW_POLICY),
    ("a cycle it has not", rescheduled(CYCLE_2, cycle=9), "reschedule.unknown_cycle", ""),
]


@pytest.mark.parametrize(("name", "event", "rule", "passage"), CASES, ids=[c[0] for c in CASES])
def test_a_move_is_applied_only_within_the_rules(
    name: str, event: CycleRescheduled, rule: str | None, passage: str
) -> None:
    ward = first_cycle_given()
    before = ward.course
    decision = move(ward, event)
    if passage.startswith(("If a good", "Administration")):
        assert_quoted(passage)
    if rule is None:
        assert decision.status == "applied"
        cycle = decision.course.cycles[1]
        assert cycle.planned_days == event.data.days and cycle.target_start == CYCLE_2
        [step] = [t for t in decision.transitions if t.trigger == "cycle.rescheduled"]
        assert (step.rule, step.actor, step.reason) == (
            "cycle.rescheduled",
            "scheduler",
            "chairs: level the centre's load",
        )
        assert "maximum of 6 weeks" in step.citation  # the indication's interval passage
        [note] = decision.notifications
        assert note.role == "infusion_nurse" and "2025-02-05, 2025-02-06, 2025-02-07" in note.body
        context = GuardContext(before, decision.course, event, event.occurred_at, ward.rules)
        assert GUARDS[step.guard].holds(context)
    else:
        assert (decision.status, decision.rule) == ("refused", rule)
        assert decision.course == before
        assert decision.reason and f"cycle {event.data.cycle}" in decision.reason
        if passage == WINDOW_POLICY and rule == "reschedule.outside_window":
            assert "window" in decision.reason or "before the day" in decision.reason
        [notice] = decision.notifications
        assert notice.role == "operator" and rule in notice.body


def test_never_past_the_maximum_interval_after_day_1_as_given() -> None:
    """Cycle 1 given two weeks early (23 December): the next cycle still counts from
    the plan (3 February), but the guideline's 6-week maximum counts from the day
    given, so 3 February is the latest start and a move to the 4th is refused."""
    assert_quoted(INTERVAL_QUOTE)
    ward = Ward.start("dermatomyositis", MONDAY, opened=local(date(2024, 12, 20)))
    for day, given in enumerate((date(2024, 12, 23), date(2024, 12, 24), date(2024, 12, 27)), 1):
        ward.send(
            "infusion.administered",
            local(given),
            cycle=1,
            day=day,
            dose_g=46.67,
            product="privigen",
            lot_numbers=["L1"],
        )
    assert ward.course.cycles[1].planned_start == CYCLE_2
    decision = move(ward, rescheduled(date(2025, 2, 4)))
    assert (decision.status, decision.rule) == ("refused", "reschedule.beyond_max_interval")
    assert "2025-02-03" in (decision.reason or "") and "6 weeks" in (decision.reason or "")
    assert "maximum of 6 weeks" in (decision.reason or "")  # the passage, quoted


def test_a_cycle_begun_keeps_the_wards_days() -> None:
    ward = first_cycle_given()
    ward.send(
        "infusion.administered",
        local(CYCLE_2),
        cycle=2,
        day=1,
        dose_g=46.67,
        product="privigen",
        lot_numbers=["L2"],
    )
    decision = move(ward, rescheduled(date(2025, 2, 5), at=local(CYCLE_2, 12)))
    assert (decision.status, decision.rule) == ("refused", "reschedule.cycle_begun")
    assert "2025-02-03" in (decision.reason or "")


def test_a_course_on_hold_has_no_cycle_to_move() -> None:
    ward = first_cycle_given()
    ward.send("course.held", local(date(2025, 1, 15)), reason="infection")
    decision = move(ward, rescheduled(date(2025, 2, 5)))
    assert (decision.status, decision.rule) == ("refused", "transition_table")


def test_a_released_cycle_goes_back_to_planned_and_is_released_again() -> None:
    ward = first_cycle_given()
    ward.tick(local(date(2025, 1, 28), 6))  # released a week ahead
    released = ward.course.cycles[1]
    assert released.status == "released"
    decision = move(ward, rescheduled(date(2025, 2, 5), at=local(date(2025, 1, 29), 6)))
    assert decision.status == "applied"
    assert decision.course.cycles[1].status == "planned"
    old_items = {e.key for e in release_effects(ward.course, released, ward.rules)}
    closed = [e for e in decision.effects if isinstance(e, WorkItemClosed)]
    assert {c.work_item_key for c in closed} == {
        k for k in old_items if not k.endswith(":released")
    }
    assert {c.outcome for c in closed} == {"cancelled"}
    assert {n.role for n in decision.notifications} == {"infusion_nurse", "pharmacy"}
    again = ward.tick(local(date(2025, 1, 29), 7))
    assert ward.course.cycles[1].status == "released"
    assert {w.key for w in again.work_items}.isdisjoint(old_items)  # the new dates' items


def test_the_next_cycle_counts_from_the_moved_start() -> None:
    """The moved start is the plan now: cycle 3 comes 4 weeks after it (the interval
    between the two cycles holds), and cycle 2 given on its new days departs from
    nothing."""
    ward = first_cycle_given()
    assert move(ward, rescheduled(date(2025, 2, 5))).status == "applied"
    decisions = ward.give_cycle()
    assert all(d.status == "applied" and not d.deviations for d in decisions)
    assert ward.course.cycles[2].planned_start == date(2025, 2, 5) + timedelta(weeks=4)
    assert ward.course.cycles[2].target_start is None  # a new cycle has not moved


def test_repeated_moves_keep_the_first_target() -> None:
    """Re-planned daily, the window stays around where the course planned the cycle:
    a move counted from the moved start (a drifting target) is refused."""
    ward = first_cycle_given()
    assert move(ward, rescheduled(date(2025, 2, 5))).status == "applied"
    drifting = rescheduled(date(2025, 2, 11), target=date(2025, 2, 5), key="s-2")
    assert move(ward, drifting).rule == "reschedule.stale_target"
    back = move(ward, rescheduled(date(2025, 2, 4), key="s-3"))
    assert back.status == "applied"
    assert ward.course.cycles[1].target_start == CYCLE_2
    assert ward.course.cycles[1].planned_days == tuple(days_from(date(2025, 2, 4)))


def test_replay_of_the_recorded_steps_rebuilds_a_moved_course() -> None:
    rules = rules_for("dermatomyositis")
    opened = local(MONDAY, 7)
    course = start_course(course_start(MONDAY), opened, rules=rules).course
    steps: list[RecordedStep] = []

    def record(event: Any, at: datetime) -> None:
        nonlocal course
        decision = (
            tick(course, at, rules=rules)
            if event is None
            else decide(course, event, at, rules=rules)
        )
        assert decision.status == "applied", decision.reason
        course = decision.course
        steps.append(RecordedStep(event, at))

    def give(cycle: int, days: list[date]) -> None:
        for day, on in enumerate(days, 1):
            given = ward_event(
                "infusion.administered",
                local(on),
                f"i-{cycle}-{day}",
                cycle=cycle,
                day=day,
                dose_g=46.67,
                product="privigen",
                lot_numbers=["L"],
            )
            record(given, local(on))

    give(1, days_from(MONDAY))
    record(rescheduled(date(2025, 2, 5)), local(date(2025, 1, 20), 6))
    record(rescheduled(date(2025, 2, 4), key="s-2"), local(date(2025, 1, 21), 6))
    record(None, local(date(2025, 1, 28), 6))  # the sweep releases it for the new days
    give(2, days_from(date(2025, 2, 4)))
    rebuilt = replay(course_start(MONDAY), opened, steps, rules=rules)
    assert rebuilt == course
    assert rebuilt.cycles[1].target_start == CYCLE_2
    assert rebuilt.cycles[2].planned_start == date(2025, 3, 4)


def test_no_ward_may_send_the_schedulers_step() -> None:
    raw = rescheduled(date(2025, 2, 5)).model_dump(mode="json")
    with pytest.raises(InputError) as refused:
        parse_ward_event(raw)
    assert refused.value.field == "type"
    assert "chair scheduler's own step" in refused.value.rule
