"""What we measure about a patient, in which unit, and what is plausible.

One definition for the whole application: the course's measurements, the ward's
observation events and the hospital formats (HL7 v2, FHIR) all take their units,
conversions and plausible ranges from here.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from ivig_workflow.domain.errors import InputError

Measure = Literal["weight_kg", "height_cm", "egfr"]

_POUND = 0.45359237  # kg, exactly, by the 1959 international agreement
# Factors to our unit; keys are lower case because HL7 feeds often shout ("KG", "CM").
_TO_OUR_UNIT: dict[Measure, dict[str, float]] = {
    "weight_kg": {"kg": 1.0, "g": 0.001, "[lb_av]": _POUND, "lb": _POUND, "lbs": _POUND},
    "height_cm": {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54, "in": 2.54},
}
# eGFR is reported per 1.73 m² body surface; every spelling of that unit means the same.
_EGFR_UNITS = {"ml/min/{1.73_m2}", "ml/min/1.73m2", "ml/min/1.73_m2", "ml/min/1.73m^2", "ml/min"}
_DOSE_TO_GRAMS = {"g": 1.0, "mg": 0.001}

# Plausible bounds from a premature neonate to the heaviest adult: outside them the value is
# a unit or typing mistake, and dosing on it would harm.
RANGES: dict[Measure, tuple[float, float]] = {
    "weight_kg": (0.3, 350.0),
    "height_cm": (30.0, 250.0),
    "egfr": (0.0, 250.0),
}
_DECIMALS: dict[Measure, int] = {"weight_kg": 2, "height_cm": 1, "egfr": 1}

# Field types for models that carry a measurement in our unit.
WeightKg = Annotated[float, Field(ge=RANGES["weight_kg"][0], le=RANGES["weight_kg"][1])]
HeightCm = Annotated[float, Field(ge=RANGES["height_cm"][0], le=RANGES["height_cm"][1])]
Egfr = Annotated[float, Field(ge=RANGES["egfr"][0], le=RANGES["egfr"][1])]


def _number(value: object, field: str) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InputError(field, f"must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InputError(field, "must be a finite number")
    return number


def _unit_key(unit: str) -> str:
    return "".join(unit.split()).lower()


def measurement(measure: Measure, value: object, unit: str, field: str) -> float:
    """The value in our unit (kg, cm, mL/min/1.73 m²), refused when the unit is unknown
    or the result is implausible."""
    number = _number(value, field)
    key = _unit_key(unit)
    if not key:
        raise InputError(field, f"required: the unit of {measure}")
    if measure == "egfr":
        if key not in _EGFR_UNITS:
            raise InputError(field, f"eGFR unit {unit!r} is not mL/min/1.73 m2")
        converted = number
    else:
        factors = _TO_OUR_UNIT[measure]
        if key not in factors:
            known = ", ".join(sorted(factors))
            raise InputError(field, f"unit {unit!r} is not one of {known}")
        converted = number * factors[key]
    low, high = RANGES[measure]
    if not low <= converted <= high:
        raise InputError(field, f"{measure} {converted:g} is outside {low:g}..{high:g}")
    return round(converted, _DECIMALS[measure])


def dose_grams(value: object, unit: str, field: str) -> float:
    """Grams given; volumes are refused because grams per mL depend on the product."""
    number = _number(value, field)
    key = _unit_key(unit)
    if key not in _DOSE_TO_GRAMS:
        raise InputError(field, f"dose unit {unit!r} is not g or mg")
    grams = number * _DOSE_TO_GRAMS[key]
    if grams <= 0:
        raise InputError(field, "dose must be more than 0 g")
    return round(grams, 3)
