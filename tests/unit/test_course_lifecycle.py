"""Whole courses, cycle by cycle, as the ward and the sweep would drive them."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from ivig_workflow.domain.course.table import TABLE
from tests.unit.course_factories import Ward, assert_quoted, local


def gaps_in_weeks(ward: Ward) -> list[float]:
    starts = [c.first_day_given for c in ward.course.cycles if c.status == "completed"]
    return [(b - a).days / 7 for a, b in pairwise(starts)]


def test_a_dermatomyositis_course_from_start_to_a_second_series() -> None:
    ward = Ward.start("dermatomyositis", date(2025, 1, 6))
    assert ward.course.state == "initiation"
    ward.give_cycle()
    assert ward.course.state == "active"
    for _ in range(5):
        ward.give_cycle()
    assert ward.course.state == "response_review"
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good", measures={"mmt8": 72})
    assert (ward.course.state, ward.course.interval_weeks) == ("interval_extension", 5)
    for _ in range(6):
        ward.give_cycle()
    assert ward.course.state == "washout"
    assert gaps_in_weeks(ward) == [4, 4, 4, 4, 4, 5, 6, 6, 6, 6, 6]
    assert ward.course.interval_weeks == 6
    check = ward.course.next_relapse_check_at
    assert check is not None
    ward.tick(check)
    assert [w.kind for w in ward.decisions[-1].work_items] == ["assess_relapse"]
    ward.send("relapse.reported", local(date(2026, 4, 20)))
    assert (ward.course.state, ward.course.series, ward.course.interval_weeks) == ("active", 2, 4)
    ward.give_cycle()
    assert ward.course.cycles[-2].number_in_series == 1  # cycle 13 opened series 2
    assert ward.course.cycles[-1].planned_start == date(2026, 4, 20) + timedelta(weeks=4)
    legal = {(r.from_state, r.trigger, r.guard, r.to_state) for r in TABLE}
    for decision in ward.decisions:
        for t in decision.transitions:
            assert (t.from_state, t.trigger, t.guard, t.to_state) in legal


def test_a_blistering_course_continued_long_term_runs_until_the_physician_completes() -> None:
    # Issue 11 changed this: the course no longer runs on by itself after the review
    # ("Long-term therapy with IVIg is recommended only in rare cases"); a physician
    # continues it with a justification (tests/unit/test_long_term_decision.py).
    ward = Ward.start("pemphigus-vulgaris", date(2025, 1, 6))
    for _ in range(6):
        ward.give_cycle()
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="good")
    assert ward.course.state == "long_term_decision"
    ward.send(
        "long_term.decided",
        local(date(2025, 6, 2)),
        actor="dr-a",
        decision="continue",
        justification="recurs on withdrawal",
    )
    for _ in range(10):
        if ward.course.state == "long_term_decision":  # after every 6 further cycles
            ward.send(
                "long_term.decided",
                local(ward.course.cycles[-1].planned_start),
                actor="dr-a",
                decision="continue",
                justification="still needed",
            )
        ward.give_cycle()
    assert (ward.course.state, ward.course.interval_weeks) == ("interval_extension", 6)
    assert ward.course.cycles_completed == 16
    ward.send("course.completed", local(date(2026, 6, 1)), reason="remission")
    assert ward.course.state == "completed"
    assert ward.course.cycles[-1].status == "skipped"
    assert ward.course.next_due_at is None


def test_a_toxic_epidermal_necrolysis_course_is_one_cycle_of_three_grams_per_kilo() -> None:
    ward = Ward.start("toxic-epidermal-necrolysis", date(2025, 3, 3), weight_kg=60)
    cycle = ward.course.cycles[0]
    assert cycle.plan.total_g == 180
    decisions = ward.give_cycle(order=(2, 3, 1))
    assert [t.to_state for t in decisions[0].transitions] == ["active"]
    assert [t.to_state for t in decisions[-1].transitions] == ["completed"]
    assert ward.course.state == "completed"


def test_a_one_day_kawasaki_cycle_starts_and_completes_in_one_event() -> None:
    ward = Ward.start("kawasaki-disease", date(2025, 3, 3), weight_kg=20)
    [decision] = ward.give_cycle()
    assert [(t.from_state, t.to_state) for t in decision.transitions] == [
        ("initiation", "active"),
        ("active", "completed"),
    ]


@pytest.mark.parametrize(
    ("slug", "start", "expected_days", "quote"),
    [
        (
            "toxic-epidermal-necrolysis",
            date(2025, 3, 7),  # a Friday: the cycle runs through the weekend
            (date(2025, 3, 7), date(2025, 3, 8), date(2025, 3, 9)),
            "IVIg must be administered as soon as possible after confirmation of the diagnosis.",
        ),
        (
            "dermatomyositis",
            # An outpatient cycle asked for a Friday starts on the Monday so that its
            # days are consecutive (issue 11; it used to run Fri, Mon, Tue).
            date(2025, 3, 7),
            (date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)),
            "Administration of the immunoglobulin should be spread over 2-5 consecutive days.",
        ),
    ],
)
def test_acute_inpatient_cycles_run_every_day_and_outpatient_cycles_on_open_days(
    slug: str, start: date, expected_days: tuple[date, ...], quote: str
) -> None:
    assert_quoted(quote)
    ward = Ward.start(slug, start, weight_kg=60)
    assert ward.course.cycles[0].planned_days == expected_days
