"""Indications, products and a dosing policy built in code, to test dose planning
apart from the YAML data. Sources quote the guideline for real."""

from __future__ import annotations

from typing import Any

from ivig_workflow import settings
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.domain.dosing.products import Product
from ivig_workflow.domain.guideline.model import (
    Adjunct,
    DayLengthening,
    Indication,
    LengtheningCondition,
    Source,
)

GUIDELINE_TEXT = " ".join(
    (settings.REPO_ROOT / "config/guideline/edf-eadv-ivig-dermatology.txt")
    .read_text(encoding="utf-8")
    .split()
)


def assert_quoted(quote: str) -> None:
    assert " ".join(quote.split()) in GUIDELINE_TEXT, f"not in the guideline: {quote!r}"


def source(quote: str, section: str = "Dermatomyositis", item: int | None = None) -> Source:
    return Source(section=section, item=item, quote=quote)


DOSE_2G = source("a dose of 2 g per kg body weight per treatment cycle", item=5)
DAYS_2_5 = source("Administration of the immunoglobulin should be spread over 2-5", item=6)
LONGER = source("immunoglobulin preparations should be administered over a longer", item=6)
GENERIC = source("Recommended dosage regimens", section="Table 2")
ASA = source(
    "acetylsalicylic acid with an initial dose of 50 mg/kg body weight per day",
    section="Vasculitic syndromes",
    item=5,
)


def lengthening(
    condition: LengtheningCondition, days: int = 5, *, lower_rate: bool = False
) -> DayLengthening:
    return DayLengthening(condition=condition, days=days, lower_rate=lower_rate, source=LONGER)


def make_indication(
    slug: str = "test-indication",
    *,
    group: str = "test",
    dose: tuple[float, float, float] = (2.0, 2.0, 2.0),  # default, min, max
    reduced_g_per_kg: float | None = None,
    days: tuple[int, int, int] = (2, 3, 5),  # min, default, max
    lengthened_by: tuple[DayLengthening, ...] = (),
    lower_rate_when: tuple[DayLengthening, ...] = (),
    cycles_planned: int | None = None,
    review_at_cycle: int | None = 6,
    washout_after_cycle: int | None = 12,
    adjuncts: tuple[Adjunct, ...] = (),
) -> Indication:
    single = cycles_planned == 1
    fields: dict[str, Any] = {
        "slug": slug,
        "name": slug.replace("-", " ").capitalize(),
        "group": group,
        "evidence": {"level": "III", "grade": "B", "source": GENERIC},
        "line": {"line": "second", "source": GENERIC},
        "initial_duration": {"months_min": 3, "months_max": 6, "source": GENERIC},
        "interval": {"initial_weeks": 4, "max_weeks": 6, "step_weeks": 1, "source": GENERIC},
        "dose": {
            "g_per_kg": dose[0],
            "min_g_per_kg": dose[1],
            "max_g_per_kg": dose[2],
            "reduced_g_per_kg": reduced_g_per_kg,
            "source": DOSE_2G,
        },
        "days": {
            "min": days[0],
            "default": days[1],
            "max": days[2],
            "lengthened_by": lengthened_by,
            "source": DAYS_2_5,
        },
        "efficacy": {"measures": ("clinical picture",), "source": GENERIC},
        "long_term": {
            "policy": "single_cycle" if single else "rare",
            "cycles_planned": cycles_planned,
            "review_at_cycle": None if single else review_at_cycle,
            "washout_after_cycle": None if single else washout_after_cycle,
            "source": GENERIC,
        },
        "adjuvant": {"immunosuppression_required": not single, "source": GENERIC},
        "adjuncts": adjuncts,
        "lower_rate_when": lower_rate_when,
    }
    return Indication.model_validate(fields)


def make_product(
    slug: str = "test-10",
    *,
    concentration_g_per_l: float = 100,
    vial_sizes_g: tuple[float, ...] = (2, 5, 10, 20, 30),
    contains_sucrose: bool = False,
    dermatomyositis_cap: float | None = 0.04,
    renal_cap: float | None = 0.03,
) -> Product:
    """By default the Octagam 10% ramp of the clinical reference."""
    return Product.model_validate(
        {
            "slug": slug,
            "name": slug.capitalize(),
            "concentration_g_per_l": concentration_g_per_l,
            "vial_sizes_g": vial_sizes_g,
            "contains_sucrose": contains_sucrose,
            "ramp": [
                {"rate_ml_per_kg_min": 0.01, "minutes": 30},
                {"rate_ml_per_kg_min": 0.02, "minutes": 30},
                {"rate_ml_per_kg_min": 0.04, "minutes": 30},
                {"rate_ml_per_kg_min": 0.08},
            ],
            "max_rate_ml_per_kg_min": 0.12,
            "caps": {
                "dermatomyositis_ml_per_kg_min": dermatomyositis_cap,
                "renal_or_thrombotic_risk_ml_per_kg_min": renal_cap,
            },
            "source": "test product after the Octagam 10% ramp",
        }
    )


def make_policy(
    *, dosing_weight: str = "actual", rounding: str = "vial_combination", tolerance: float = 0.05
) -> DosingPolicy:
    why = "set in the test factory"
    return DosingPolicy.model_validate(
        {
            "dosing_weight": {"policy": dosing_weight, "source": why},
            "rounding": {"policy": rounding, "tolerance": tolerance, "source": why},
            "default_product": {"slug": "test-10", "source": why},
            "observation": {
                "first_infusion_or_switch_minutes": 60,
                "otherwise_minutes": 20,
                "source": why,
            },
            "height": {"min_cm": 50, "max_cm": 250, "source": why},
            "weight": {"max_kg": 350, "source": why},
            "renal_function": {
                "impaired_below_egfr": 60,
                "confirm_below_egfr": 30,
                "risk_age_over_years": 65,
                "source": why,
            },
            "course_start": {"max_days_past": 30, "max_days_future": 180, "source": why},
            "live_vaccines": {"from_g_per_kg": 1.0, "source": why},
        }
    )
