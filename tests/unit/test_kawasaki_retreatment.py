"""Kawasaki disease: one cycle, and a second dose within the course when fever
persists 36 h after the first infusion ends."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ivig_workflow.domain.course.policy import KAWASAKI_CITATION
from ivig_workflow.domain.course.table import TABLE
from tests.unit.course_factories import Ward, assert_quoted, local

ONE_CYCLE = "Only 1 cycle in Kawasaki´s disease and TEN"  # noqa: RUF001 - verbatim
REFERENCE = (
    "Kawasaki disease: up to 15 % do not respond; a second 2 g/kg dose is usual when fever "
    "persists 36 h after the first infusion ends."
)
LEGAL = {(r.from_state, r.trigger, r.guard, r.to_state) for r in TABLE}
START = date(2025, 3, 7)  # a Friday: the second dose falls on a weekend


def _after_first_dose(slug: str = "kawasaki-disease") -> tuple[Ward, datetime]:
    ward = Ward.start(slug, START)
    ward.give_cycle()
    assert ward.course.state == "completed"
    ended = local(ward.course.cycles[0].planned_days[-1], 14)
    return ward, ended


def test_the_sources() -> None:
    assert_quoted(ONE_CYCLE)
    assert REFERENCE in " ".join(KAWASAKI_CITATION.split())


# (hours of fever after the first infusion ended, applied?, the rule that answered)
CASES = [
    (12, False, "retreatment.fever_persisting"),
    (35.5, False, "retreatment.fever_persisting"),
    (36, True, "retreatment.second_dose"),
    (48, True, "retreatment.second_dose"),
]


@pytest.mark.parametrize(("hours", "applied", "rule"), CASES)
def test_a_second_dose_when_fever_persists_36_hours(hours: float, applied: bool, rule: str) -> None:
    ward, ended = _after_first_dose()
    at = ended + timedelta(hours=hours)
    decision = ward.send("fever.persisted", at, infusion_ended_at=ended.isoformat())
    if not applied:
        assert (decision.status, decision.rule) == ("refused", rule)
        assert decision.reason is not None and "36 h or more" in decision.reason
        assert ward.course.state == "completed"
        return
    [step] = decision.transitions
    assert (step.to_state, step.rule) == ("active", rule)
    assert REFERENCE in " ".join(step.citation.split())
    assert (step.from_state, step.trigger, step.guard, step.to_state) in LEGAL
    second = ward.course.cycles[-1]
    # Acute inpatient: released at once, from the day of the event, on calendar days.
    assert (second.number, second.status, second.released_at) == (2, "released", at)
    assert second.planned_start == at.date()
    kinds = {w.kind for w in decision.work_items}
    assert {"book_chairs", "prepare_product"} <= kinds
    ward.send(
        "infusion.administered",
        local(second.planned_days[0], 18),
        cycle=2,
        day=1,
        dose_g=second.day_doses_g[0],
        product="privigen",
        lot_numbers=["L2"],
    )
    assert (ward.course.state, ward.course.cycles_completed) == ("completed", 2)


def test_at_most_one_retreatment() -> None:
    ward, ended = _after_first_dose()
    ward.send("fever.persisted", ended + timedelta(hours=40), infusion_ended_at=ended.isoformat())
    second = ward.course.cycles[-1]
    ward.send(
        "infusion.administered",
        local(second.planned_days[0], 18),
        cycle=2,
        day=1,
        dose_g=second.day_doses_g[0],
        product="privigen",
        lot_numbers=["L2"],
    )
    again_ended = local(second.planned_days[0], 22)
    refused = ward.send(
        "fever.persisted",
        again_ended + timedelta(hours=40),
        infusion_ended_at=again_ended.isoformat(),
    )
    assert (refused.status, refused.rule) == ("refused", "retreatment.at_most")
    assert refused.reason is not None and "at most 1 retreatment" in refused.reason


def test_an_infusion_end_before_the_last_day_or_after_the_event_is_refused() -> None:
    ward, ended = _after_first_dose()
    early = ended - timedelta(days=3)
    refused = ward.send(
        "fever.persisted", ended + timedelta(hours=40), infusion_ended_at=early.isoformat()
    )
    assert (refused.status, refused.rule) == ("refused", "retreatment.infusion_ended_at")
    refused = ward.send("fever.persisted", ended, infusion_ended_at=(ended + timedelta(hours=1)))
    assert (refused.status, refused.rule) == ("refused", "retreatment.infusion_ended_at")


def test_fever_during_the_first_cycle_is_not_a_retreatment() -> None:
    ward = Ward.start("kawasaki-disease", START)
    at = local(START, 12)
    refused = ward.send("fever.persisted", at, infusion_ended_at=(at - timedelta(hours=40)))
    assert (refused.status, refused.rule) == ("refused", "transition_table")


def test_ten_has_no_retreatment_within_the_course() -> None:
    ward, _ = _after_first_dose("toxic-epidermal-necrolysis")
    ended = local(ward.course.cycles[0].planned_days[-1], 14)
    refused = ward.send(
        "fever.persisted", ended + timedelta(hours=40), infusion_ended_at=ended.isoformat()
    )
    assert (refused.status, refused.rule) == ("refused", "retreatment.indication")
