"""Renal and cardiac function in the plan, one row per passage, on the real guideline.

The thresholds are the test policy's (eGFR below 60: impaired; below 30: a physician
confirms each cycle), as in config/dosing.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest

from ivig_workflow.domain.dosing.dose_plan import DosePlan, plan_dose
from ivig_workflow.domain.dosing.dose_request import DoseRequest
from ivig_workflow.loading.guideline import load_guideline
from tests.unit.dose_factories import assert_quoted, make_policy, make_product

GUIDELINE = load_guideline()
LONGER = (
    "In patients with cardiac or renal impairment, immunoglobulin preparations should be "
    "administered over a longer period of time."
)
# Clinical reference, infusion rates: "at renal or thrombotic risk at most 0.03".
RENAL_CAP = 0.03


def plan(slug: str, **request: Any) -> DosePlan:
    return plan_dose(
        DoseRequest(**request),
        indication=GUIDELINE.indication(slug),
        guideline_version=GUIDELINE.version,
        product=make_product(),
        policy=make_policy(),
    )


RULES: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
    (
        "eGFR 75: normal, the default days and no cap",
        "pemphigus-vulgaris",
        {"weight_kg": 70, "egfr": 75},
        {"days": 3, "cap": None, "renal_function": "normal", "confirm": False},
        LONGER,
    ),
    (
        "eGFR 45: renal impairment, more days and the renal cap",
        "pemphigus-vulgaris",
        {"weight_kg": 70, "egfr": 45},
        {"days": 5, "cap": RENAL_CAP, "renal_function": "impaired", "confirm": False},
        LONGER,
    ),
    (
        "eGFR 15: as impaired, and each cycle confirmed by a physician",
        "pemphigus-vulgaris",
        {"weight_kg": 70, "egfr": 15},
        {"days": 5, "cap": RENAL_CAP, "renal_function": "confirm_each_cycle", "confirm": True},
        LONGER,
    ),
    (
        "eGFR at the threshold is not impaired",
        "pemphigus-vulgaris",
        {"weight_kg": 70, "egfr": 60},
        {"days": 3, "cap": None, "renal_function": "normal", "confirm": False},
        LONGER,
    ),
    (
        "Kawasaki with cardiac impairment: the rate is capped",
        "kawasaki-disease",
        {"weight_kg": 20, "cardiac_impairment": True},
        {"days": 1, "cap": RENAL_CAP, "renal_function": "not_measured", "confirm": False},
        LONGER,
    ),
    (
        "Kawasaki with eGFR 40: the rate is capped",
        "kawasaki-disease",
        {"weight_kg": 20, "egfr": 40},
        {"days": 1, "cap": RENAL_CAP, "renal_function": "impaired", "confirm": False},
        LONGER,
    ),
    (
        "TEN with cardiac impairment: the rate is capped",
        "toxic-epidermal-necrolysis",
        {"weight_kg": 70, "cardiac_impairment": True},
        {"days": 3, "cap": RENAL_CAP, "renal_function": "not_measured", "confirm": False},
        LONGER,
    ),
]


@pytest.mark.parametrize(("case", "slug", "request_", "expected", "quote"), RULES)
def test_renal_and_cardiac_function(
    case: str, slug: str, request_: dict[str, Any], expected: dict[str, Any], quote: str
) -> None:
    assert_quoted(quote)
    result = plan(slug, **request_)
    shown = {
        "days": len(result.days),
        "cap": result.rate_cap_ml_per_kg_min,
        "renal_function": result.renal_function,
        "confirm": result.release_needs_confirmation,
    }
    assert shown == expected, case
    # A classified eGFR cites the thresholds' source (config/dosing.yaml).
    cited = any(source.startswith("renal function:") for source in result.sources)
    assert cited == ("egfr" in request_)
    if expected["cap"] is not None:
        assert any(
            "renal risk" in warning or "cardiac impairment" in warning
            for warning in result.warnings
        )


@pytest.mark.parametrize(
    ("request_", "factors"),
    [
        ({"age_years": 70}, ("age over 65",)),
        ({"age_years": 65}, ()),
        ({"diabetes": True, "nephrotoxic_drugs": True}, ("diabetes", "nephrotoxic drugs")),
        ({"egfr": 50, "age_years": 80}, ("renal impairment", "age over 65")),
        ({}, ()),
    ],
)
def test_renal_risk_factors_of_the_clinical_reference(
    request_: dict[str, Any], factors: tuple[str, ...]
) -> None:
    # Clinical reference: "Renal risk (renal insufficiency, diabetes, age > 65, volume
    # depletion, sepsis, paraproteinaemia, nephrotoxic drugs): lowest practicable rate,
    # hydration, renal function before each cycle."
    assert plan("pemphigus-vulgaris", weight_kg=70, **request_).renal_risk_factors == factors
