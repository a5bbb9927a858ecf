"""Ward facts against the plan (issue 11): departures are applied and raised as
deviations, implausible facts are refused.

Dermatomyositis, 70 kg: the plan gives 2 g/kg = 140 g over 3 consecutive days
(46.67 g a day), every 4 weeks; cycle 1 on Mon 6, Tue 7, Wed 8 January 2025 and
cycle 2 from Mon 3 February. Each row quotes the passage the check stands on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ivig_workflow.domain.course.transitions import decide
from tests.unit.course_factories import Ward, assert_quoted, local, ward_event

MONDAY = date(2025, 1, 6)
CYCLE_2 = date(2025, 2, 3)
DOSE = 46.67
DOSE_QUOTE = (
    "Because there is no clear evidence of efficacy with lower doses, strict adherence to "
    "the aforementioned dose recommendations is required in these serious diseases."
)
INTERVAL_QUOTE = "Initially, adjuvant IVIg therapy should be administered every 4 weeks."
DAYS_QUOTE = "Administration of the immunoglobulin should be spread over 2-5 consecutive days."
# The clinical reference (shared/clinical-reference.md), where the guideline is silent.
SWITCH_QUOTE = "After a change of product, start again at the lowest rate."
GAP_QUOTE = (
    "Observation: first infusion, a product switch or a long gap: through the infusion and 1 h "
    "after"
)


def infuse(ward: Ward, on: date, cycle: int = 1, day: int = 1, **overrides: Any) -> Any:
    data = {
        "cycle": cycle,
        "day": day,
        "dose_g": DOSE,
        "product": "privigen",
        "lot_numbers": ["L1"],
        **overrides,
    }
    return ward.send("infusion.administered", local(on), **data)


def first_cycle_given(ward: Ward) -> None:
    for day in (1, 2, 3):
        assert infuse(ward, MONDAY + timedelta(days=day - 1), day=day).status == "applied"


# (what the ward did, the deviation kinds raised, the passage)
CASES = [
    ("day 1 at +20 %", lambda w: infuse(w, MONDAY, dose_g=56), ["dose_off_plan"], DOSE_QUOTE),
    ("day 1 at -20 %", lambda w: infuse(w, MONDAY, dose_g=37.3), ["dose_off_plan"], DOSE_QUOTE),
    ("day 1 at +7 %: within 10 %", lambda w: infuse(w, MONDAY, dose_g=50), [], DOSE_QUOTE),
    (
        "another product",
        lambda w: infuse(w, MONDAY, product="octagam-10"),
        ["product_switch"],
        SWITCH_QUOTE,
    ),
    (
        "day 1 ten days late",
        lambda w: infuse(w, MONDAY + timedelta(days=10)),
        ["late_cycle"],
        INTERVAL_QUOTE,
    ),
    (
        "day 1 a week late: within 7 days",
        lambda w: infuse(w, MONDAY + timedelta(days=7)),
        [],
        INTERVAL_QUOTE,
    ),
    (
        "day 2 three days after day 1",
        lambda w: (infuse(w, MONDAY), infuse(w, MONDAY + timedelta(days=3), day=2))[1],
        ["non_consecutive_day"],
        DAYS_QUOTE,
    ),
    (
        "day 2 after a weekend is consecutive for the centre",
        lambda w: (
            infuse(w, MONDAY + timedelta(days=4)),
            infuse(w, MONDAY + timedelta(days=7), day=2),
        )[1],
        [],
        DAYS_QUOTE,
    ),
]


@pytest.mark.parametrize(("what", "act", "kinds", "quote"), CASES, ids=[c[0] for c in CASES])
def test_a_departure_is_applied_and_raised(
    what: str, act: Any, kinds: list[str], quote: str
) -> None:
    if quote not in (SWITCH_QUOTE, GAP_QUOTE):
        assert_quoted(quote)
    ward = Ward.start("dermatomyositis", MONDAY)
    decision = act(ward)
    assert decision.status == "applied"
    assert [d.kind for d in decision.deviations] == kinds
    cycle = ward.course.cycles[0]
    assert [d.kind for d in cycle.deviations] == kinds  # kept with the cycle
    for deviation in decision.deviations:
        assert quote in deviation.citation and deviation.rule == f"deviation.{deviation.kind}"
        assert deviation.detail and not deviation.acknowledged
        roles = sorted(w.role for w in decision.work_items if w.kind == "review_deviation")
        pharmacy = deviation.kind in ("dose_off_plan", "product_switch")
        assert roles == (["pharmacy", "physician"] if pharmacy else ["physician"])
        assert any(n.rule == deviation.rule for n in decision.notifications)


def test_the_next_day_after_a_switch_restarts_at_the_lowest_rate() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    [switch] = infuse(ward, MONDAY, product="octagam-10").deviations
    assert "lowest rate" in switch.detail and "60 min after" in switch.detail
    assert ward.course.cycles[0].plan.lowest_rate_days == (2,)  # on the plan of day 2
    # Staying on the new product is no further switch; going back is one.
    assert infuse(ward, MONDAY + timedelta(days=1), day=2, product="octagam-10").deviations == ()
    [back] = infuse(ward, MONDAY + timedelta(days=2), day=3).deviations
    assert (back.kind, back.expected, back.actual) == ("product_switch", "octagam-10", "privigen")
    # The switch on the cycle's last day marks day 1 of the next cycle.
    assert [c.plan.lowest_rate_days for c in ward.course.cycles] == [(2,), (1,)]


def test_an_early_cycle_is_applied_and_the_next_counts_from_the_plan() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    first_cycle_given(ward)
    assert ward.course.cycles[1].planned_start == CYCLE_2
    early = CYCLE_2 - timedelta(days=10)  # before its release a week ahead
    decision = infuse(ward, early, cycle=2)
    assert decision.status == "applied"
    assert [d.kind for d in decision.deviations] == ["early_cycle"]
    assert {w.kind for w in decision.work_items} >= {"book_chairs", "prepare_product"}
    for day in (2, 3):
        infuse(ward, early + timedelta(days=day - 1), cycle=2, day=day)
    assert ward.course.cycles[2].planned_start == CYCLE_2 + timedelta(weeks=4)


def test_a_late_cycle_does_not_move_the_ones_after_it() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    first_cycle_given(ward)
    late = CYCLE_2 + timedelta(days=9)
    for day in (1, 2, 3):
        infuse(ward, late + timedelta(days=day - 1), cycle=2, day=day)
    assert [d.kind for d in ward.course.cycles[1].deviations] == ["late_cycle"]
    assert ward.course.cycles[2].planned_start == CYCLE_2 + timedelta(weeks=4)


def test_a_first_infusion_after_a_long_pause_is_observed_as_a_first_one() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    first_cycle_given(ward)
    decision = infuse(ward, CYCLE_2 + timedelta(weeks=13), cycle=2)
    assert [d.kind for d in decision.deviations] == ["late_cycle", "long_gap"]
    gap = decision.deviations[1]
    assert GAP_QUOTE in gap.citation and "60 min after" in gap.detail


@pytest.mark.parametrize(
    ("dose", "day_2", "rule"),
    [
        (93.5, None, "infusion.implausible_dose"),  # over twice the day's 46.67 g
        (90, 90, "infusion.implausible_dose"),
    ],  # 180 g: over 2 g/kg x 70 kg (+10 %)
)
def test_an_implausible_dose_is_refused(dose: float, day_2: float | None, rule: str) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    decision = infuse(ward, MONDAY, dose_g=dose)
    if day_2 is not None:
        assert decision.status == "applied"
        decision = infuse(ward, MONDAY + timedelta(days=1), day=2, dose_g=day_2)
    assert (decision.status, decision.rule) == ("refused", rule)
    assert "correct it at the source" in (decision.reason or "")


@pytest.mark.parametrize(("ahead", "status"), [(14, "applied"), (16, "refused")])
def test_an_event_dated_after_its_arrival_beyond_the_clock_skew_is_refused(
    ahead: int, status: str
) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    event = ward_event("observation.recorded", local(MONDAY, 10), "k-skew", weight_kg=71)
    decision = decide(
        ward.course, event, local(MONDAY, 10) - timedelta(minutes=ahead), rules=ward.rules
    )
    assert decision.status == status
    if status == "refused":
        assert decision.rule == "event.in_future" and "15 min" in (decision.reason or "")


def test_an_event_dated_before_the_course_is_refused() -> None:
    ward = Ward.start("dermatomyositis", MONDAY, opened=local(MONDAY - timedelta(days=10)))
    ok = ward.send("observation.recorded", local(MONDAY - timedelta(days=3)), weight_kg=71)
    assert ok.status == "applied"  # pre-infusion labs after the course was opened
    before = ward.send("observation.recorded", local(MONDAY - timedelta(days=11)), weight_kg=71)
    assert (before.status, before.rule) == ("refused", "event.before_course_start")


def test_a_physician_acknowledges_a_deviation_and_its_work_item_closes() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    raised = infuse(ward, MONDAY, dose_g=56)
    physician = next(w for w in raised.work_items if w.role == "physician")
    event = ward_event(
        "deviation.acknowledged",
        local(MONDAY, 12),
        "ack-1",
        cycle=1,
        kind="dose_off_plan",
        reason="weight gain",
    )
    event = event.model_copy(update={"actor": "dr-a"})
    decision = decide(ward.course, event, local(MONDAY, 12), rules=ward.rules)
    assert decision.status == "applied"
    assert [t.rule for t in decision.transitions] == ["deviation.acknowledged"]
    [deviation] = decision.course.cycles[0].deviations
    assert (deviation.acknowledged, deviation.acknowledged_by) == (True, "dr-a")
    assert deviation.acknowledgement_reason == "weight gain"
    assert [c.work_item_key for c in decision.closed_work_items] == [physician.key]
    again = decide(
        decision.course,
        event.model_copy(update={"key": "ack-2"}),
        local(MONDAY, 12),
        rules=ward.rules,
    )
    assert (again.status, again.rule) == ("refused", "deviation.acknowledge_open_only")


@pytest.mark.parametrize(
    ("end", "status"), [("course.completed", "applied"), ("course.discontinued", "refused")]
)
def test_acknowledging_on_a_completed_course_but_not_a_discontinued_one(
    end: str, status: str
) -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    infuse(ward, MONDAY, dose_g=56)
    ward.send(end, local(MONDAY, 12), reason="physician")
    decision = ward.send("deviation.acknowledged", local(MONDAY, 13), cycle=1, kind="dose_off_plan")
    assert decision.status == status
