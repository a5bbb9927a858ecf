"""The warnings and sources that come with a dose plan.

Warnings prompt, they do not decide: the plan is still made, and each warning tells
the team what to check (clinical reference: safety checks worth prompting). Sources
cite every rule the plan used, guideline passages first.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivig_workflow.domain.dosing.dose_request import DoseRequest
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.domain.dosing.products import Product
from ivig_workflow.domain.guideline.model import DayLengthening, Indication

MYOSITIS_SLUGS = frozenset({"dermatomyositis", "polymyositis", "inclusion-body-myositis"})
HAEMOLYSIS_G_PER_KG = 2.0


def is_myositis(indication: Indication) -> bool:
    """The myositis group shares dermatomyositis's thrombosis-driven rate cap."""
    return indication.slug in MYOSITIS_SLUGS or "myositis" in indication.group


def dose_warnings(
    request: DoseRequest,
    indication: Indication,
    product: Product,
    g_per_kg: float,
    policy: DosingPolicy,
) -> list[str]:
    warnings: list[str] = []
    if g_per_kg >= HAEMOLYSIS_G_PER_KG:
        warnings.append(
            "haemolysis risk at >= 2 g/kg, higher in blood groups other than O: "
            "check haemoglobin after the cycle"
        )
    if g_per_kg >= policy.live_vaccines.from_g_per_kg:
        warnings.append(
            f"defer live vaccines after IVIg at {g_per_kg:g} g/kg (clinical reference: "
            "about 11 months after 2 g/kg; prompted from "
            f"{policy.live_vaccines.from_g_per_kg:g} g/kg by the centre's policy)"
        )
    if request.renal_impairment:
        warnings.append(
            "renal risk: lowest practicable rate, hydration, renal function before each cycle"
        )
        if product.contains_sucrose:
            warnings.append(f"{product.name} contains sucrose, which adds renal risk")
    if request.thrombotic_risk:
        warnings.append("thrombotic risk: lowest practicable rate and hydration")
    if request.reduced_dose:
        warnings.append(
            f"reduced dose of {g_per_kg:g} g/kg instead of {indication.dose.g_per_kg:g} g/kg, "
            "chosen by the physician"
        )
    return warnings


def cardiac_warning(request: DoseRequest, cap: float | None) -> list[str]:
    if not request.cardiac_impairment:
        return []
    rate = "set the rate by hand" if cap is None else f"at most {cap:g} mL/kg/min"
    return [
        f"cardiac impairment: lowest practicable rate, {rate} (clinical reference: "
        "cardiovascular risk is a thrombosis risk; at renal or thrombotic risk at most "
        "0.03 mL/kg/min)"
    ]


def unfitted_vials_warning(product: Product, days: list[int], tolerance: float) -> list[str]:
    if not days:
        return []
    return [
        f"no mix of {product.name} vials lies within +-{tolerance:.0%} on day(s) "
        f"{', '.join(map(str, days))}: the prescribed grams are given and the rest of the "
        "last vial is waste"
    ]


def plan_sources(
    indication: Indication,
    rules: Iterable[DayLengthening],
    product: Product,
    policy: DosingPolicy,
) -> tuple[str, ...]:
    sources = [
        indication.dose.source.cite(),
        indication.days.source.cite(),
        *(rule.source.cite() for rule in rules),
        indication.interval.source.cite(),
        indication.long_term.source.cite(),
        *(adjunct.source.cite() for adjunct in indication.adjuncts),
        f"product {product.slug}: {product.source}",
        f"dosing weight: {policy.dosing_weight.source}",
        f"rounding: {policy.rounding.source}",
        f"observation: {policy.observation.source}",
    ]
    return tuple(dict.fromkeys(sources))
