"""The guideline's course rules, one row per rule, each quoting its passage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.unit.course_factories import Ward, assert_quoted, local

MONDAY = date(2025, 1, 6)


def ward_at_review(slug: str) -> Ward:
    ward = Ward.start(slug, MONDAY)
    for _ in range(6):
        ward.give_cycle()
    return ward


@pytest.mark.parametrize(
    ("slug", "quote"),
    [
        (
            "dermatomyositis",
            "Therapeutic efficacy should have been achieved after 6 treatment cycles",
        ),
        (
            "pemphigus-vulgaris",
            "If there should be no response to treatment after 6 cycles of treatment, "
            "discontinuation of the IVIg treatment is advisable.",
        ),
        ("systemic-lupus-erythematosus", "If there has been no response to treatment after"),
    ],
)
def test_the_sixth_cycle_of_a_series_opens_the_response_review(slug: str, quote: str) -> None:
    assert_quoted(quote)
    ward = ward_at_review(slug)
    assert ward.course.state == "response_review"
    assert ward.course.cycles_in_series_completed == 6
    assert all(c.status == "completed" for c in ward.course.cycles)  # nothing further planned
    review = [w for w in ward.effects if getattr(w, "kind", None) == "assess_response"]
    assert len(review) == 1
    assert review[0].data["measures"] == list(ward.rules.indication.efficacy.measures)
    assert ward.course.next_due_at is None
    ward.tick(local(MONDAY + timedelta(weeks=40)))
    assert len(ward.course.cycles) == 6


@pytest.mark.parametrize(
    ("outcome", "state", "interval", "quote"),
    [
        ("none", "discontinued", 4, "or else the IVIg treatment should be discontinued"),
        ("worse", "discontinued", 4, "or else the IVIg treatment should be discontinued"),
        ("partial", "active", 4, "Initially, adjuvant IVIg therapy should be administered every 4"),
        (
            "good",
            "interval_extension",
            5,
            "If a good clinical response is achieved, the interval can be increased gradually",
        ),
    ],
)
def test_the_review_outcome_decides_how_the_course_goes_on(
    outcome: str, state: str, interval: int, quote: str
) -> None:
    assert_quoted(quote)
    ward = ward_at_review("dermatomyositis")
    decision = ward.send("response.assessed", local(date(2025, 6, 2)), outcome=outcome)
    assert decision.status == "applied"
    assert ward.course.state == state
    assert ward.course.interval_weeks == interval
    if state == "discontinued":
        assert ward.course.next_due_at is None
        return
    sixth, following = ward.course.cycles[5], ward.course.cycles[6]
    assert following.planned_start == sixth.first_day_given + timedelta(weeks=interval)


@pytest.mark.parametrize(
    ("extension_cycles", "expected_interval", "quote"),
    [
        (1, 6, "the interval can be increased gradually to a maximum of 6 weeks"),
        (3, 6, "Longer intervals between infusions are not recommended"),
    ],
)
def test_extension_lengthens_by_a_step_and_never_beyond_the_maximum(
    extension_cycles: int, expected_interval: int, quote: str
) -> None:
    assert_quoted(quote)
    ward = ward_at_review("dermatomyositis")
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    for _ in range(extension_cycles):
        ward.give_cycle()
    assert ward.course.interval_weeks == expected_interval


def test_a_worse_assessment_in_extension_returns_to_the_initial_interval() -> None:
    assert_quoted("Initially, adjuvant IVIg therapy should be administered every 4 weeks.")
    ward = ward_at_review("pemphigus-vulgaris")
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    # Since issue 11 pemphigus waits for the long-term decision after the review.
    ward.send(
        "long_term.decided",
        local(date(2025, 6, 2)),
        actor="dr-a",
        decision="continue",
        justification="recurs on withdrawal",
    )
    ward.give_cycle()
    assert ward.course.interval_weeks == 6
    ward.send("response.assessed", local(date(2025, 7, 7)), outcome="worse")
    assert (ward.course.state, ward.course.interval_weeks) == ("active", 4)
    last, pending = ward.course.cycles[-2], ward.course.cycles[-1]
    assert pending.status == "planned"
    assert pending.planned_start == last.first_day_given + timedelta(weeks=4)


@pytest.mark.parametrize(
    ("slug", "quote"),
    [
        ("dermatomyositis", "After 12 treatment cycles, a washout period should be attempted"),
        ("polymyositis", "After 12 treatment cycles, a washout period should be attempted"),
    ],
)
def test_the_twelfth_cycle_starts_the_washout(slug: str, quote: str) -> None:
    assert_quoted(quote)
    ward = ward_at_review(slug)
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    for _ in range(6):
        ward.give_cycle()
    assert ward.course.state == "washout"
    assert ward.course.cycles_completed == 12
    assert not [c for c in ward.course.cycles if c.status == "planned"]
    assert ward.course.next_due_at == ward.course.next_relapse_check_at


@pytest.mark.parametrize(
    ("slug", "quote"),
    [
        ("toxic-epidermal-necrolysis", "Only one cycle of treatment is usually required"),
        ("kawasaki-disease", "Only 1 cycle in Kawasaki\u00b4s disease and TEN"),
    ],
)
def test_single_cycle_indications_complete_after_their_cycle(slug: str, quote: str) -> None:
    assert_quoted(quote)
    ward = Ward.start(slug, MONDAY)
    ward.give_cycle()
    assert ward.course.state == "completed"
    assert len(ward.course.cycles) == 1
    assert ward.course.next_due_at is None
    refused = ward.send("relapse.reported", local(date(2025, 3, 3)))
    assert refused.status == "refused"
    assert refused.rule == "relapse.resume_on_relapse"


def test_a_relapse_in_washout_starts_a_new_series_from_the_relapse_date() -> None:
    assert_quoted("In the event of recurrences, treatment can be resumed at any time.")
    ward = ward_at_review("dermatomyositis")
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    for _ in range(6):
        ward.give_cycle()
    relapse_day = date(2026, 5, 12)
    ward.send("relapse.reported", local(relapse_day), note="weakness")
    course = ward.course
    assert (course.state, course.series, course.cycles_in_series_completed) == ("active", 2, 0)
    assert course.interval_weeks == 4
    new = course.cycles[-1]
    assert (new.number, new.series, new.number_in_series) == (13, 2, 1)
    # Since issue 11 the cycle's days are consecutive open days: from Tue 12 May 2026
    # they would span Ascension Day (Thu 14), so the series starts on Mon 18.
    assert new.planned_start == date(2026, 5, 18)


def test_a_completed_course_reopens_on_relapse_where_the_guideline_allows() -> None:
    assert_quoted("In the event of recurrences, treatment can be resumed at any time.")
    ward = ward_at_review("dermatomyositis")
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="partial")
    ward.send("course.completed", local(date(2025, 6, 3)), reason="remission")
    assert ward.course.state == "completed"
    ward.send("relapse.reported", local(date(2025, 9, 1)))
    assert (ward.course.state, ward.course.series) == ("active", 2)


def test_every_transition_names_its_rule_and_a_guideline_citation() -> None:
    ward = ward_at_review("dermatomyositis")
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    review = [t for d in ward.decisions for t in d.transitions if t.rule == "review.at_cycle"]
    assert review and review[0].citation.startswith("EDF/EADV IVIg guideline, Dermatomyositis")
    assert "6 treatment cycles" in review[0].citation
    for effect in ward.effects:
        assert effect.rule and effect.citation
