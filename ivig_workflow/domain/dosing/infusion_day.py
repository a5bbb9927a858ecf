"""One infusion day of a cycle: the vials opened, the volume and the chair time."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.infusion_rate import chair_minutes, infusion_minutes
from ivig_workflow.domain.dosing.policy import DosingPolicy, RoundingPolicy
from ivig_workflow.domain.dosing.products import Product
from ivig_workflow.domain.dosing.vials import round_day_dose


class DayPlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day: int
    prescribed_g: float
    dose_g: float
    vials: dict[str, int]  # vial size in g, written as in the formulary -> count
    waste_g: float
    volume_ml: float
    infusion_minutes: int
    observation_minutes: int
    chair_minutes: int
    # False when no vial mix fitted the tolerance and the prescribed grams are given.
    vials_fitted: bool


def plan_day(
    day: int,
    prescribed_g: float,
    *,
    product: Product,
    weight_kg: float,
    rounding: RoundingPolicy,
    cap_ml_per_kg_min: float | None,
    long_observation: bool,
    policy: DosingPolicy,
) -> DayPlan:
    mix = round_day_dose(prescribed_g, product.vial_sizes_g, rounding, policy.rounding.tolerance)
    volume = product.volume_ml(mix.dose_g)
    minutes = infusion_minutes(
        volume, weight_kg=weight_kg, ramp=product.ramp, cap_ml_per_kg_min=cap_ml_per_kg_min
    )
    observation = (
        policy.observation.first_infusion_or_switch_minutes
        if long_observation
        else policy.observation.otherwise_minutes
    )
    return DayPlan(
        day=day,
        prescribed_g=round(prescribed_g, 2),
        dose_g=mix.dose_g,
        vials={f"{size:g}": count for size, count in mix.vials.items()},
        waste_g=mix.waste_g,
        volume_ml=round(volume, 1),
        infusion_minutes=minutes,
        observation_minutes=observation,
        chair_minutes=chair_minutes(minutes, observation),
        vials_fitted=mix.fitted,
    )
