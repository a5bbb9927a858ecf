"""One cycle's dose plan: grams, days, vials, volume and chair time.

A pure function of the request, the indication, the product and the centre's policy,
so the course state machine can re-plan each cycle from the latest weight.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.cycle_days import cycle_days
from ivig_workflow.domain.dosing.dose_notes import (
    cardiac_warning,
    dose_warnings,
    is_myositis,
    plan_sources,
    unfitted_vials_warning,
)
from ivig_workflow.domain.dosing.dose_request import DoseRequest, check_body, dose_g_per_kg
from ivig_workflow.domain.dosing.dosing_weight import choose_dosing_weight
from ivig_workflow.domain.dosing.infusion_day import DayPlan, plan_day
from ivig_workflow.domain.dosing.infusion_rate import rate_cap_ml_per_kg_min
from ivig_workflow.domain.dosing.overrides import checked_departures
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.domain.dosing.products import Product
from ivig_workflow.domain.dosing.renal_function import (
    RenalClass,
    egfr_warnings,
    renal_class,
    renal_risk_factors,
)
from ivig_workflow.domain.guideline.model import Indication


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaysRange(_Model):
    min: int
    max: int


class AdjunctDose(_Model):
    drug: str
    dose_mg_per_kg_per_day: float
    daily_dose_mg: float


class DosePlan(_Model):
    indication: str
    guideline_version: str
    dose_g_per_kg: float
    reduced_dose: bool
    # The physician's reason for departing from the guideline's dose, if any.
    override_reason: str | None
    dosing_weight_kg: float
    dosing_weight_policy: str
    actual_weight_kg: float
    height_cm: float | None
    ideal_body_weight_kg: float | None
    adjusted_body_weight_kg: float | None
    total_dose_g: float
    rounded_total_dose_g: float
    # What the vials deliver over what was prescribed: 1.0 is exact.
    delivered_fraction: float
    total_waste_g: float
    rounding_policy: str
    rounding_tolerance: float
    product: str
    rate_cap_ml_per_kg_min: float | None
    egfr: float | None
    renal_function: RenalClass
    # Ask for renal function and hydration before each cycle when any is present.
    renal_risk_factors: tuple[str, ...]
    release_needs_confirmation: bool
    days: tuple[DayPlan, ...]
    days_range: DaysRange
    interval_weeks: int
    max_interval_weeks: int
    interval_step_weeks: int
    review_at_cycle: int | None
    washout_after_cycle: int | None
    cycles_planned: int | None
    adjuncts: tuple[AdjunctDose, ...]
    warnings: tuple[str, ...]
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def plan_dose(
    request: DoseRequest,
    *,
    indication: Indication,
    guideline_version: str,
    product: Product,
    policy: DosingPolicy,
) -> DosePlan:
    check_body(request, policy)
    renal = policy.renal_function
    measured = renal_class(request.egfr, renal)
    if measured in ("impaired", "confirm_each_cycle") and not request.renal_impairment:
        # A measured eGFR below the threshold is renal impairment, stated or not.
        request = request.model_copy(update={"renal_impairment": True})
    g_per_kg = dose_g_per_kg(request, indication)
    override_warnings = checked_departures(request, indication)
    spread = cycle_days(indication, request.conditions(), request.days)
    weight = choose_dosing_weight(
        request.dosing_weight or policy.dosing_weight.policy,
        actual_kg=request.weight_kg,
        height_cm=request.height_cm,
        sex=request.sex,
        age_years=request.age_years,
        pregnant=request.pregnant,
    )
    cap, cap_warnings = rate_cap_ml_per_kg_min(
        product,
        myositis=is_myositis(indication),
        # Cardiac impairment lowers the rate in every indication, also where the
        # guideline's indication names no lengthening for it (Kawasaki disease, TEN).
        renal_or_thrombotic_risk=spread.lower_rate
        or request.renal_impairment
        or request.cardiac_impairment
        or request.thrombotic_risk,
    )
    rounding = request.rounding or policy.rounding.policy
    total_g = round(g_per_kg * weight.kg, 2)
    day_plans = [
        plan_day(
            day,
            total_g / spread.days,
            product=product,
            weight_kg=weight.kg,
            rounding=rounding,
            cap_ml_per_kg_min=cap,
            # Day 1 of the first cycle or of a new product is watched through and after.
            long_observation=day == 1 and (request.first_infusion or request.product_switched),
            policy=policy,
        )
        for day in range(1, spread.days + 1)
    ]
    warnings = [
        *override_warnings,
        *dose_warnings(request, indication, product, g_per_kg, policy),
        *egfr_warnings(request.egfr, renal),
        *cardiac_warning(request, cap),
        *spread.warnings,
        *cap_warnings,
        *unfitted_vials_warning(
            product,
            [day.day for day in day_plans if not day.vials_fitted],
            policy.rounding.tolerance,
        ),
    ]
    long_term = indication.long_term
    rounded_total = round(sum(day.dose_g for day in day_plans), 2)
    risk_factors = renal_risk_factors(
        age_years=request.age_years,
        diabetes=request.diabetes,
        nephrotoxic_drugs=request.nephrotoxic_drugs,
        renal_impairment=request.renal_impairment,
        setting=renal,
    )
    return DosePlan(
        indication=indication.slug,
        guideline_version=guideline_version,
        dose_g_per_kg=g_per_kg,
        reduced_dose=request.reduced_dose,
        override_reason=request.override_reason if override_warnings else None,
        dosing_weight_kg=weight.kg,
        dosing_weight_policy=weight.rule,
        actual_weight_kg=request.weight_kg,
        height_cm=request.height_cm,
        ideal_body_weight_kg=weight.ideal_body_weight_kg,
        adjusted_body_weight_kg=weight.adjusted_body_weight_kg,
        total_dose_g=total_g,
        rounded_total_dose_g=rounded_total,
        delivered_fraction=round(rounded_total / total_g, 4),
        total_waste_g=round(sum(day.waste_g for day in day_plans), 2),
        rounding_policy=rounding,
        rounding_tolerance=policy.rounding.tolerance,
        product=product.slug,
        rate_cap_ml_per_kg_min=cap,
        egfr=request.egfr,
        renal_function=measured,
        renal_risk_factors=risk_factors,
        release_needs_confirmation=measured == "confirm_each_cycle",
        days=tuple(day_plans),
        days_range=DaysRange(min=indication.days.min, max=indication.days.max),
        interval_weeks=indication.interval.initial_weeks,
        max_interval_weeks=indication.interval.max_weeks,
        interval_step_weeks=indication.interval.step_weeks,
        review_at_cycle=long_term.review_at_cycle,
        washout_after_cycle=long_term.washout_after_cycle,
        cycles_planned=long_term.cycles_planned,
        adjuncts=tuple(
            AdjunctDose(
                drug=adjunct.drug,
                dose_mg_per_kg_per_day=adjunct.dose_mg_per_kg_per_day,
                # Adjuncts follow actual weight: the policy adjusts only the IVIg dose.
                daily_dose_mg=round(adjunct.dose_mg_per_kg_per_day * request.weight_kg, 1),
            )
            for adjunct in indication.adjuncts
        ),
        warnings=tuple(warnings),
        sources=(
            *plan_sources(indication, spread.rules, product, policy),
            *(() if measured == "not_measured" else (f"renal function: {renal.source}",)),
        ),
    )
