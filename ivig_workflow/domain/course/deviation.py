"""A deviation: a ward fact that departs from the plan, recorded with its cycle.

The fact is applied (the ward gave what it gave); the departure is raised to a
physician, who acknowledges it. What the plan expected and what was given are kept
in words, with the rule and the passage behind the check.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

DeviationKind = Literal[
    "dose_off_plan",
    "product_switch",
    "early_cycle",
    "late_cycle",
    "non_consecutive_day",
    "long_gap",
]
DEVIATION_KINDS: tuple[DeviationKind, ...] = (
    "dose_off_plan",
    "product_switch",
    "early_cycle",
    "late_cycle",
    "non_consecutive_day",
    "long_gap",
)
# What each kind means, and the passage the check stands on (the docs are built from it).
MEANING: dict[DeviationKind, tuple[str, str]] = {
    "dose_off_plan": (
        "a day's dose differs from the plan by more than the dose tolerance (default 10 %)",
        "the indication's dose passage of the guideline",
    ),
    "product_switch": (
        "another product than the patient had (the plan's, before the first infusion); "
        "this and the next infusion day restart at the lowest rate with first-infusion "
        "observation",
        'clinical reference: "After a change of product, start again at the lowest rate."',
    ),
    "early_cycle": (
        "a cycle's first day given more days before its planned date than allowed (default 3); an "
        "infusion for the next cycle before its release is applied and releases it; the "
        "following cycles keep counting from the plan",
        "the indication's interval passage of the guideline",
    ),
    "late_cycle": (
        "a cycle's first day given more days after its planned date than allowed (default 7); the "
        "following cycles keep counting from the plan",
        "the indication's interval passage of the guideline",
    ),
    "non_consecutive_day": (
        "a gap between two days of one cycle (open days of the centre; calendar days for "
        "acute inpatient indications); the physician decides whether the cycle restarts",
        'the guideline: "spread over 2-5 consecutive days"',
    ),
    "long_gap": (
        "the first infusion after washout or after more than 12 weeks (default) without IVIg: "
        "observed as a first infusion",
        'clinical reference: "Observation: first infusion, a product switch or a long gap: '
        'through the infusion and 1 h after"',
    ),
}
# Facts refused rather than applied: the ward corrects them at the source.
REFUSALS: tuple[tuple[str, str], ...] = (
    (
        "event.in_future",
        "occurred_at after the received instant by more than the clock-skew "
        "allowance (default 15 min)",
    ),
    (
        "event.before_course_start",
        "occurred_at before the course was opened and before its start date",
    ),
    (
        "infusion.implausible_dose",
        "over twice the day's planned dose, or a cycle total over "
        "the indication's max_g_per_kg x the latest weight (beyond the dose tolerance)",
    ),
    (
        "transition_table",
        "any event on a discontinued course, and any but relapse, adverse "
        "event or deviation.acknowledged on a completed one",
    ),
)
# Kinds that concern the pharmacy as well as the physician: stock and preparation.
PHARMACY_KINDS: frozenset[str] = frozenset({"dose_off_plan", "product_switch"})


class Deviation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DeviationKind
    cycle: int = Field(ge=1)
    day: int = Field(ge=1)
    event_key: str
    expected: str
    actual: str
    detail: str  # what it means for the patient and what to do, in words
    rule: str
    citation: str
    acknowledged: bool = False
    acknowledged_by: str | None = None
    acknowledged_at: AwareDatetime | None = None
    acknowledgement_reason: str | None = None

    def answer(self) -> dict[str, str]:
        """What the sender of the event is told."""
        return {
            "kind": self.kind,
            "detail": self.detail,
            "rule": self.rule,
            "citation": self.citation,
        }
