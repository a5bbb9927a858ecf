"""What a physician asks the dose planner for, and the checks on the patient's body.

Indication and product are not part of the request: the caller resolves them, so the
state machine can plan every cycle with the product the course is on.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.dosing_weight import Sex
from ivig_workflow.domain.dosing.policy import DosingPolicy, DosingWeightPolicy, RoundingPolicy
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Indication, LengtheningCondition

OrganInvolvement = Literal["kidney", "heart"]
MAX_AGE_YEARS = 130


class DoseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weight_kg: float
    height_cm: float | None = None
    sex: Sex | None = None
    age_years: float | None = None
    pregnant: bool = False
    days: int | None = None
    # An explicit dose within the indication's range, e.g. 1.6 g/kg in Kawasaki disease.
    g_per_kg: float | None = None
    reduced_dose: bool = False
    renal_impairment: bool = False
    cardiac_impairment: bool = False
    thrombotic_risk: bool = False
    organ_involvement: frozenset[OrganInvolvement] = frozenset()
    # Measured eGFR in mL/min/1.73 m2: classified by the centre's renal thresholds.
    egfr: float | None = None
    # Renal risk factors of the clinical reference besides age (raise the renal check).
    diabetes: bool = False
    nephrotoxic_drugs: bool = False
    # A physician's reason to depart from the guideline's dose (see dose_overrides).
    override_reason: str | None = None
    # Overrides of the centre's policy for this patient.
    dosing_weight: DosingWeightPolicy | None = None
    rounding: RoundingPolicy | None = None
    # Day 1 of the first cycle, or after a change of product, gets the long observation.
    first_infusion: bool = True
    product_switched: bool = False

    def conditions(self) -> frozenset[LengtheningCondition]:
        present: set[LengtheningCondition] = set()
        if self.renal_impairment:
            present.add("renal_impairment")
        if self.cardiac_impairment:
            present.add("cardiac_impairment")
        if "kidney" in self.organ_involvement:
            present.add("organ_involvement_kidney")
        if "heart" in self.organ_involvement:
            present.add("organ_involvement_heart")
        return frozenset(present)


def check_body(request: DoseRequest, policy: DosingPolicy) -> None:
    limit = policy.weight.max_kg
    if not 0 < request.weight_kg <= limit:
        raise InputError("weight_kg", f"must be above 0 and at most {limit:g} kg")
    height = policy.height
    if request.height_cm is not None and not height.min_cm <= request.height_cm <= height.max_cm:
        raise InputError("height_cm", f"must lie within {height.min_cm:g}..{height.max_cm:g} cm")
    if request.age_years is not None and not 0 <= request.age_years <= MAX_AGE_YEARS:
        raise InputError("age_years", f"must lie within 0..{MAX_AGE_YEARS} years")


def dose_g_per_kg(request: DoseRequest, indication: Indication) -> float:
    dose = indication.dose
    if request.reduced_dose:
        if dose.reduced_g_per_kg is None:
            raise InputError(
                "reduced_dose", f"{indication.slug} has no reduced dose in the guideline"
            )
        if request.g_per_kg is not None:
            raise InputError("g_per_kg", "give either an explicit dose or the reduced dose")
        return dose.reduced_g_per_kg
    if request.g_per_kg is None:
        return dose.g_per_kg
    # Below the guideline's dose is a departure a physician may override (dose_overrides);
    # above its maximum is never planned.
    if not 0 < request.g_per_kg <= dose.max_g_per_kg:
        raise InputError(
            "g_per_kg",
            f"must lie within {dose.min_g_per_kg:g}..{dose.max_g_per_kg:g} g/kg "
            f"for {indication.slug}",
        )
    return request.g_per_kg
