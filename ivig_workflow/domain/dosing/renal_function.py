"""Renal function in the plan: the measured eGFR classified by the centre's thresholds,
and the renal risk factors that call for a renal check before each cycle.

The guideline answers renal impairment with more days and a lower rate ("In patients
with cardiac or renal impairment, immunoglobulin preparations should be administered
over a longer period of time"); the clinical reference lists the renal risk factors
(renal insufficiency, diabetes, age > 65, nephrotoxic drugs) that call for the lowest
practicable rate, hydration and renal function before each cycle.
"""

from __future__ import annotations

from typing import Literal

from ivig_workflow.domain.dosing.policy import RenalFunctionSetting

RenalClass = Literal["not_measured", "normal", "impaired", "confirm_each_cycle"]


def renal_class(egfr: float | None, setting: RenalFunctionSetting) -> RenalClass:
    if egfr is None:
        return "not_measured"
    if egfr < setting.confirm_below_egfr:
        return "confirm_each_cycle"
    if egfr < setting.impaired_below_egfr:
        return "impaired"
    return "normal"


def needs_confirmation(egfr: float | None, confirm_below_egfr: float | None) -> bool:
    """Whether a physician must confirm a cycle before it is released."""
    return egfr is not None and confirm_below_egfr is not None and egfr < confirm_below_egfr


def egfr_warnings(egfr: float | None, setting: RenalFunctionSetting) -> list[str]:
    match renal_class(egfr, setting):
        case "confirm_each_cycle":
            return [
                f"eGFR {egfr:g} is below {setting.confirm_below_egfr:g}: renal impairment "
                "(the longer cycle where the guideline gives one, the renal rate cap), and a "
                "physician confirms each cycle before it is released"
            ]
        case "impaired":
            return [
                f"eGFR {egfr:g} is below {setting.impaired_below_egfr:g}: renal impairment "
                "(the longer cycle where the guideline gives one, the renal rate cap)"
            ]
        case _:
            return []


def renal_risk_factors(
    *,
    age_years: float | None,
    diabetes: bool,
    nephrotoxic_drugs: bool,
    renal_impairment: bool,
    setting: RenalFunctionSetting,
) -> tuple[str, ...]:
    factors: list[str] = []
    if renal_impairment:
        factors.append("renal impairment")
    if age_years is not None and age_years > setting.risk_age_over_years:
        factors.append(f"age over {setting.risk_age_over_years:g}")
    if diabetes:
        factors.append("diabetes")
    if nephrotoxic_drugs:
        factors.append("nephrotoxic drugs")
    return tuple(factors)
