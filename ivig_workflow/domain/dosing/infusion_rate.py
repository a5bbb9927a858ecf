"""How long a day's infusion takes, following the product's rate ramp.

Chair time is computed from the ramp and the volume rather than booked as a fixed
slot: each step runs for its minutes, the last step until the volume is given, and a
cap (dermatomyositis, renal or thrombotic risk) lowers every step above it.
"""

from __future__ import annotations

import math

from ivig_workflow.domain.dosing.products import Product, RateStep

_EPSILON = 1e-9


def rate_cap_ml_per_kg_min(
    product: Product, *, myositis: bool, renal_or_thrombotic_risk: bool
) -> tuple[float | None, list[str]]:
    """The lowest cap that applies, and a warning for each cap the product lacks."""
    applicable: list[float] = []
    missing: list[str] = []
    for applies, cap, what in (
        (myositis, product.caps.dermatomyositis_ml_per_kg_min, "dermatomyositis"),
        (
            renal_or_thrombotic_risk,
            product.caps.renal_or_thrombotic_risk_ml_per_kg_min,
            "renal or thrombotic risk",
        ),
    ):
        if not applies:
            continue
        if cap is None:
            missing.append(
                f"{product.name} has no {what} rate cap in the formulary: set the rate by hand"
            )
        else:
            applicable.append(cap)
    return (min(applicable) if applicable else None), missing


def infusion_minutes(
    volume_ml: float,
    *,
    weight_kg: float,
    ramp: tuple[RateStep, ...],
    cap_ml_per_kg_min: float | None = None,
) -> int:
    """Whole minutes to give `volume_ml`, rounded up: a nurse books whole minutes."""
    remaining = volume_ml
    elapsed = 0.0
    for step in ramp:
        rate = step.rate_ml_per_kg_min
        if cap_ml_per_kg_min is not None:
            rate = min(rate, cap_ml_per_kg_min)
        ml_per_min = rate * weight_kg
        if step.minutes is None or remaining <= ml_per_min * step.minutes:
            elapsed += remaining / ml_per_min
            remaining = 0.0
            break
        remaining -= ml_per_min * step.minutes
        elapsed += step.minutes
    return math.ceil(elapsed - _EPSILON)


def chair_minutes(infusion: int, observation: int) -> int:
    return infusion + observation
