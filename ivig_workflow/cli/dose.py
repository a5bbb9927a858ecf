"""`ivig dose`: plan one cycle's grams, days, vials and chair time for a patient."""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args

import typer

from ivig_workflow.cli.dose_view import show_plan
from ivig_workflow.domain.dosing.dose_plan import plan_dose
from ivig_workflow.domain.dosing.dose_request import DoseRequest, OrganInvolvement
from ivig_workflow.domain.dosing.dosing_weight import Sex
from ivig_workflow.domain.dosing.policy import DosingWeightPolicy, RoundingPolicy
from ivig_workflow.domain.errors import InputError

MAX_EGFR = 250  # as the course's measurements accept
# Request fields that are named differently on the command line.
_OPTION_OF_FIELD = {
    "organ_involvement": "--organ-involvement",
    "dosing_weight": "--dosing-weight",
    "indication": "--indication",
}


def dose(
    indication: Annotated[str, typer.Option("--indication", help="Indication slug.")],
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="Actual weight in kg.")],
    height_cm: Annotated[float | None, typer.Option("--height-cm")] = None,
    sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
    age_years: Annotated[float | None, typer.Option("--age-years")] = None,
    pregnant: Annotated[
        bool, typer.Option("--pregnant", help="Weight given is pre-pregnancy.")
    ] = False,
    days: Annotated[int | None, typer.Option(help="Days per cycle, within the range.")] = None,
    g_per_kg: Annotated[float | None, typer.Option("--g-per-kg", help="Explicit dose.")] = None,
    product: Annotated[str | None, typer.Option(help="Product slug (default: policy).")] = None,
    dosing_weight: Annotated[str | None, typer.Option(help="actual or adjusted.")] = None,
    renal_impairment: Annotated[bool, typer.Option("--renal-impairment")] = False,
    cardiac_impairment: Annotated[bool, typer.Option("--cardiac-impairment")] = False,
    thrombotic_risk: Annotated[bool, typer.Option("--thrombotic-risk")] = False,
    egfr: Annotated[
        float | None, typer.Option("--egfr", help="Measured eGFR, mL/min/1.73 m2.")
    ] = None,
    diabetes: Annotated[bool, typer.Option("--diabetes", help="Renal risk factor.")] = False,
    nephrotoxic_drugs: Annotated[
        bool, typer.Option("--nephrotoxic-drugs", help="Renal risk factor.")
    ] = False,
    override_reason: Annotated[
        str | None,
        typer.Option("--override-reason", help="Why the plan departs from the guideline."),
    ] = None,
    organ_involvement: Annotated[
        list[str] | None, typer.Option(help="kidney or heart (repeatable).")
    ] = None,
    reduced_dose: Annotated[bool, typer.Option("--reduced-dose")] = False,
    rounding: Annotated[
        str | None, typer.Option(help="vial_combination, nearest_5g or none.")
    ] = None,
    later_cycle: Annotated[
        bool, typer.Option("--later-cycle", help="Not the first infusion: short observation.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Plan one cycle: dosing weight, grams per day, vial mix, volume and chair time."""
    from ivig_workflow.loading.dosing_policy import load_dosing_policy
    from ivig_workflow.loading.guideline import load_guideline
    from ivig_workflow.loading.products import load_products

    try:
        request = DoseRequest(
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=_choice("--sex", sex, get_args(Sex)),
            age_years=age_years,
            pregnant=pregnant,
            days=days,
            g_per_kg=g_per_kg,
            reduced_dose=reduced_dose,
            renal_impairment=renal_impairment,
            cardiac_impairment=cardiac_impairment,
            thrombotic_risk=thrombotic_risk,
            egfr=_egfr(egfr),
            diabetes=diabetes,
            nephrotoxic_drugs=nephrotoxic_drugs,
            override_reason=override_reason,
            organ_involvement=frozenset(
                _choice("--organ-involvement", organ, get_args(OrganInvolvement))
                for organ in organ_involvement or []
            ),
            dosing_weight=_choice("--dosing-weight", dosing_weight, get_args(DosingWeightPolicy)),
            rounding=_choice("--rounding", rounding, get_args(RoundingPolicy)),
            first_infusion=not later_cycle,
        )
        guideline = load_guideline()
        policy = load_dosing_policy()
        formulary = load_products()
        plan = plan_dose(
            request,
            indication=guideline.indication(indication),
            guideline_version=guideline.version,
            product=formulary.product(product or policy.default_product.slug),
            policy=policy,
        )
    except InputError as error:
        typer.echo(f"error: {_option(error.field)}: {error.rule}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(plan.to_json()))
    else:
        show_plan(plan)


def _choice(option: str, text: str | None, allowed: tuple[Any, ...]) -> Any:
    if text is None:
        return None
    code = text.strip().lower()
    if code not in allowed:
        raise InputError(option, f"expected one of {', '.join(allowed)}, got {text!r}")
    return code


def _egfr(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= MAX_EGFR:
        raise InputError("--egfr", f"must lie within 0..{MAX_EGFR} mL/min/1.73 m2")
    return value


def _option(field: str) -> str:
    """The command-line option a domain field came from; config paths pass through."""
    if field.startswith("--") or not field.replace("_", "").isalpha():
        return field
    return _OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))
