"""The long-term decision: where the guideline allows long-term IVIg only in rare or
exceptional cases, a course past its initial duration waits for a physician."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ivig_workflow.domain.course.table import TABLE
from ivig_workflow.domain.errors import InputError
from tests.unit.course_factories import GUIDELINE, Ward, assert_quoted, local

LEGAL = {(r.from_state, r.trigger, r.guard, r.to_state) for r in TABLE}

# (indication, the guideline's words on long-term use, decision needed?)
LONG_TERM = [
    (
        "pemphigus-vulgaris",
        "Long-term therapy with IVIg is recommended only in rare cases. An exception to this "
        "are cases in which disease recurrence occurs after withdrawal of IVIg therapy and "
        "no other treatment options exist. Regular washout periods should be attempted.",
        True,
    ),
    ("bullous-pemphigoid", "Regular washout periods should be attempted.", True),
    (
        "wegener-granulomatosis",
        "Long-term therapy with IVIg is recommended only in exceptional cases.",
        True,
    ),
    (
        "systemic-lupus-erythematosus",
        "Long-term therapy can be recommended only in exceptional cases.",
        True,
    ),
    # The guideline sets the washout itself: the course follows it, no decision.
    ("dermatomyositis", "After 12 treatment cycles, a washout period should be attempted", False),
    ("kawasaki-disease", "Only 1 cycle in Kawasaki´s disease and TEN", False),  # noqa: RUF001
]


@pytest.mark.parametrize(("slug", "quote", "needed"), LONG_TERM)
def test_which_indications_need_a_long_term_decision(slug: str, quote: str, needed: bool) -> None:
    assert_quoted(quote)
    long_term = GUIDELINE.indication(slug).long_term
    assert " ".join(quote.split()) in " ".join(long_term.source.quote.split())
    assert long_term.needs_decision is needed


def test_every_indication_needing_a_decision_has_the_review_it_follows() -> None:
    needing = [i for i in GUIDELINE.indications.values() if i.long_term.needs_decision]
    assert {i.group for i in needing} == {"blistering", "vasculitis", "collagen-vascular"}
    assert all(i.long_term.review_at_cycle is not None for i in needing)


# (indication, the guideline's initial duration)
INITIAL_DURATION = [
    (
        "pemphigus-vulgaris",
        "Treatment should be administered initially for a period of "
        "between 3 and 6 months in order to test the efficacy of the IVIg in the individual case.",
    ),
    (
        "wegener-granulomatosis",
        "a treatment period of 3-6 months is useful initially in order "
        "to obtain a clear idea of the response to treatment.",
    ),
    (
        "systemic-lupus-erythematosus",
        "As with the aforementioned conditions, use is initially "
        "recommended over a period of 6 months.",
    ),
]


@pytest.mark.parametrize(("slug", "quote"), INITIAL_DURATION)
def test_the_decision_falls_at_the_review_that_closes_the_initial_duration(
    slug: str, quote: str
) -> None:
    """The review cycle is the number of whole cycles at the initial interval that fit
    into the initial duration's longest period: the decision follows that review."""
    assert_quoted(quote)
    indication = GUIDELINE.indication(slug)
    months = indication.initial_duration.months_max
    assert months is not None
    whole_cycles = int(months * 52 / 12 / indication.interval.initial_weeks)
    assert indication.long_term.review_at_cycle == whole_cycles


def _to_decision(slug: str, outcome: str) -> Ward:
    ward = Ward.start(slug, date(2025, 1, 6))
    for _ in range(6):
        ward.give_cycle()
    assert ward.course.state == "response_review"
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome=outcome)
    return ward


@pytest.mark.parametrize(
    ("outcome", "back", "weeks"), [("partial", "active", 4), ("good", "interval_extension", 5)]
)
def test_a_response_past_the_initial_duration_waits_for_the_physician(
    outcome: str, back: str, weeks: int
) -> None:
    ward = _to_decision("pemphigus-vulgaris", outcome)
    assert ward.course.state == "long_term_decision"
    assert ward.course.state_after_decision == back
    assert ward.course.interval_weeks == weeks
    [item] = [w for w in ward.decisions[-1].work_items if w.kind == "long_term_decision"]
    assert item.role == "physician"
    assert "Regular washout periods should be attempted" in item.citation
    [closed] = ward.decisions[-1].closed_work_items
    assert closed.work_item_key == "c-1:series-1:assess_response"
    # No course runs on silently: nothing is planned or released while waiting.
    assert not [c for c in ward.course.cycles if c.status in ("planned", "released")]
    ward.tick(local(date(2026, 6, 1)))
    assert ward.decisions[-1].transitions == ()
    assert ward.course.next_due_at is None


def test_continuing_needs_a_justification_and_a_named_physician() -> None:
    ward = _to_decision("wegener-granulomatosis", "good")
    with pytest.raises(InputError, match=r"data\.justification: (required|Field required)"):
        ward.send("long_term.decided", local(date(2025, 6, 3)), decision="continue")
    refused = ward.send(
        "long_term.decided", local(date(2025, 6, 3)), decision="continue", justification="x"
    )
    assert (refused.status, refused.rule) == ("refused", "long_term.decided_by")
    assert ward.course.state == "long_term_decision"


def test_continue_resumes_where_the_review_pointed_and_the_decision_comes_back() -> None:
    ward = _to_decision("pemphigus-vulgaris", "good")
    why = "relapse after each withdrawal; no other treatment option"
    decided = ward.send(
        "long_term.decided",
        local(date(2025, 6, 3)),
        actor="dr-b",
        decision="continue",
        justification=why,
    )
    [t] = decided.transitions
    assert (t.to_state, t.guard, t.rule, t.actor, t.reason) == (
        "interval_extension",
        "continue_interval_extension",
        "long_term.continued",
        "dr-b",
        why,
    )
    assert "only in rare cases" in t.citation
    [closed] = decided.closed_work_items
    assert (closed.work_item_key, closed.closed_by) == (
        "c-1:series-1:cycle-6:long_term_decision",
        "dr-b",
    )
    assert ward.course.cycles[-1].status == "planned"
    for _ in range(5):
        ward.give_cycle()
    assert ward.course.state == "interval_extension"
    ward.give_cycle()  # the 6th cycle since the review: the washout prompt
    assert ward.course.state == "long_term_decision"
    assert ward.course.cycles_in_series_completed == 12
    [item] = ward.decisions[-1].work_items
    assert item.key == "c-1:series-1:cycle-12:long_term_decision"
    for decision in ward.decisions:
        for step in decision.transitions:
            assert (step.from_state, step.trigger, step.guard, step.to_state) in LEGAL


def test_a_washout_attempt_stops_infusions_and_checks_for_relapse() -> None:
    ward = _to_decision("systemic-lupus-erythematosus", "partial")
    ward.send(
        "long_term.decided",
        local(date(2025, 6, 3)),
        actor="dr-b",
        decision="washout",
        justification="stable for months",
    )
    assert ward.course.state == "washout"
    check = ward.course.next_relapse_check_at
    assert check is not None
    assert check == local(date(2025, 7, 1), 0).astimezone(check.tzinfo)
    ward.tick(check)
    assert [w.kind for w in ward.decisions[-1].work_items] == ["assess_relapse"]
    ward.send("relapse.reported", local(date(2025, 8, 4)))
    assert (ward.course.state, ward.course.series) == ("active", 2)


def test_stop_completes_the_course() -> None:
    ward = _to_decision("bullous-pemphigoid", "good")
    ward.send(
        "long_term.decided",
        local(date(2025, 6, 3)),
        actor="dr-b",
        decision="stop",
        justification="remission for six months",
    )
    assert ward.course.state == "completed"
    assert ward.decisions[-1].transitions[0].rule == "long_term.stopped"


def test_a_hold_during_the_decision_returns_to_it() -> None:
    ward = _to_decision("pemphigus-vulgaris", "partial")
    ward.send("course.held", local(date(2025, 6, 3)), reason="infection")
    ward.send("course.resumed", local(date(2025, 6, 10)))
    assert (ward.course.state, ward.course.state_after_decision) == (
        "long_term_decision",
        "active",
    )
    ward.send(
        "long_term.decided",
        local(date(2025, 6, 11)),
        actor="dr-b",
        decision="continue",
        justification="flares without it",
    )
    assert ward.course.state == "active"
    assert ward.course.cycles[-1].planned_start >= date(2025, 6, 11)


def test_dermatomyositis_keeps_its_review_and_washout_at_cycle_12() -> None:
    ward = Ward.start("dermatomyositis", date(2025, 1, 6))
    for _ in range(6):
        ward.give_cycle()
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    assert ward.course.state == "interval_extension"
    for _ in range(6):
        ward.give_cycle()
    assert ward.course.state == "washout"
    assert "long_term_decision" not in ward.states
    assert ward.course.cycles[-1].planned_start - ward.course.cycles[0].planned_start > timedelta(
        weeks=40
    )
