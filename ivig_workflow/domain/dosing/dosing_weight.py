"""The weight a dose is computed from, and the rule that chose it.

Actual weight by default, as the guideline doses per kg body weight; adjusted body
weight (Devine ideal body weight + 0.4 x the excess) when a centre's policy asks for
it, with the exceptions national programmes make.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.policy import DosingWeightPolicy
from ivig_workflow.domain.errors import InputError

Sex = Literal["female", "male"]

CM_PER_INCH = 2.54
# Devine's formula starts at five feet; below it the programmes dose by actual weight.
DEVINE_MIN_HEIGHT_CM = 152.0
ADJUSTMENT_FRACTION = 0.4
ADULT_AGE_YEARS = 18


class DosingWeight(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kg: float
    # Which rule chose the weight, e.g. "adjusted" or "actual: under 18".
    rule: str
    ideal_body_weight_kg: float | None
    adjusted_body_weight_kg: float | None


def ideal_body_weight_kg(height_cm: float, sex: Sex) -> float:
    """Devine: 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch above 60 inches."""
    base = 50.0 if sex == "male" else 45.5
    return base + 2.3 * (height_cm / CM_PER_INCH - 60)


def adjusted_body_weight_kg(actual_kg: float, ideal_kg: float) -> float:
    return ideal_kg + ADJUSTMENT_FRACTION * (actual_kg - ideal_kg)


def choose_dosing_weight(
    policy: DosingWeightPolicy,
    *,
    actual_kg: float,
    height_cm: float | None,
    sex: Sex | None,
    age_years: float | None,
    pregnant: bool,
) -> DosingWeight:
    # The adjusted weight is computed from the IBW as recorded (to 0.1 kg), so that a
    # pharmacist can check it by hand from the numbers the plan shows.
    ideal = (
        _kg(ideal_body_weight_kg(height_cm, sex))
        if height_cm is not None and sex is not None and height_cm >= DEVINE_MIN_HEIGHT_CM
        else None
    )
    adjusted = adjusted_body_weight_kg(actual_kg, ideal) if ideal is not None else None

    def actual(rule: str) -> DosingWeight:
        return DosingWeight(
            kg=_kg(actual_kg),
            rule=rule,
            ideal_body_weight_kg=_kg_or_none(ideal),
            adjusted_body_weight_kg=_kg_or_none(adjusted),
        )

    if policy == "actual":
        return actual("actual")
    # These exceptions need neither height nor sex, so they come before asking for them.
    if age_years is not None and age_years < ADULT_AGE_YEARS:
        return actual("actual: under 18")
    if pregnant:
        return actual("actual: pregnancy (pre-pregnancy weight)")
    if height_cm is None:
        raise InputError("height_cm", "required when the dosing weight is adjusted")
    if height_cm < DEVINE_MIN_HEIGHT_CM:
        return actual("actual: height under 152 cm")
    if adjusted is None:  # height is known and in Devine's range, so sex is missing
        raise InputError("sex", "required when the dosing weight is adjusted")
    if actual_kg < adjusted:
        return actual("actual: below adjusted")
    return DosingWeight(
        kg=_kg(adjusted),
        rule="adjusted",
        ideal_body_weight_kg=_kg_or_none(ideal),
        adjusted_body_weight_kg=_kg(adjusted),
    )


def _kg(value: float) -> float:
    # Weights are recorded to 0.1 kg, as a scale shows them.
    return round(value, 1)


def _kg_or_none(value: float | None) -> float | None:
    return None if value is None else _kg(value)
