"""Departures from the guideline's dose that only a physician's stated reason allows.

A plan below the guideline's dose for the indication, the reduced dose without the
kidney involvement it is meant for, or any plan where the guideline gives no
recommendation, is refused unless the physician gives a reason. With a reason the
plan is made and carries a warning citing the passage it departs from, and the
course records who overrode and why.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.dose_request import DoseRequest
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Indication, Source


class Departure(BaseModel):
    """One way a request departs from the guideline: the field, the rule, the passage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    rule: str
    citation: str


def guideline_floor_g_per_kg(indication: Indication, *, kidney: bool) -> float:
    """The lowest dose the guideline gives for this patient.

    Where the guideline names a reduced dose (systemic vasculitis: 1 g/kg with renal
    involvement), the range below the standard dose is reserved for that case.
    """
    dose = indication.dose
    if dose.reduced_g_per_kg is not None and not kidney:
        return dose.g_per_kg
    return dose.min_g_per_kg


def departures(request: DoseRequest, indication: Indication) -> tuple[Departure, ...]:
    found: list[Departure] = []
    kidney = "kidney" in request.organ_involvement
    if indication.line.line == "no_recommendation":
        found.append(
            Departure(
                field="indication",
                rule=f"the guideline gives no recommendation for IVIg in {indication.slug}",
                citation=indication.line.source.cite(),
            )
        )
    dose = indication.dose
    if request.reduced_dose and dose.reduced_g_per_kg is not None and not kidney:
        found.append(
            Departure(
                field="reduced_dose",
                rule=f"the reduced dose of {dose.reduced_g_per_kg:g} g/kg is only for renal "
                f"involvement, and no kidney involvement is given (--organ-involvement kidney)",
                citation=_reduced_dose_source(indication).cite(),
            )
        )
    floor = guideline_floor_g_per_kg(indication, kidney=kidney)
    if request.g_per_kg is not None and request.g_per_kg < floor:
        found.append(
            Departure(
                field="g_per_kg",
                rule=f"{request.g_per_kg:g} g/kg is below the guideline's {floor:g} g/kg "
                f"for {indication.slug}",
                citation=dose.source.cite(),
            )
        )
    return tuple(found)


def checked_departures(request: DoseRequest, indication: Indication) -> list[str]:
    """Refuse a departure without a reason; with one, the warnings the plan carries."""
    found = departures(request, indication)
    reason = (request.override_reason or "").strip()
    if found and not reason:
        first = found[0]
        raise InputError(
            first.field,
            f"{first.rule} ({first.citation}); a physician may depart from it by giving "
            "an override reason",
        )
    return [
        f"override of the guideline: {departure.rule}; reason given: {reason} "
        f"({departure.citation})"
        for departure in found
    ]


def _reduced_dose_source(indication: Indication) -> Source:
    for rule in (*indication.lower_rate_when, *indication.days.lengthened_by):
        if rule.condition == "organ_involvement_kidney":
            return rule.source
    return indication.dose.source
