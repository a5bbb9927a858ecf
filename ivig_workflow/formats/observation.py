"""Measurements about a patient, and the units ward systems send them in.

A weight or height from an admission system belongs to the patient, not to one course:
the service fans a `PatientObservation` out to every open course of that patient.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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


class PatientObservation(BaseModel):
    """Weight, height or renal function measured for a patient (pseudonymous reference)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_ref: str = Field(min_length=1)
    key: str = Field(min_length=1)
    occurred_at: AwareDatetime
    weight_kg: float | None = Field(default=None, ge=0.3, le=350.0)
    height_cm: float | None = Field(default=None, ge=30.0, le=250.0)
    egfr: float | None = Field(default=None, ge=0.0, le=250.0)

    @model_validator(mode="after")
    def _measures_something(self) -> PatientObservation:
        if self.weight_kg is None and self.height_cm is None and self.egfr is None:
            raise ValueError("at least one of weight_kg, height_cm, egfr")
        return self

    def measures(self) -> dict[str, float]:
        return {
            name: value
            for name, value in (
                ("weight_kg", self.weight_kg),
                ("height_cm", self.height_cm),
                ("egfr", self.egfr),
            )
            if value is not None
        }

    def as_event(self, course_id: str, actor: str | None = None) -> dict[str, Any]:
        """The observation.recorded event for one open course of the patient. The key is
        per course, because the inbox keeps each key once and one message reaches many."""
        event: dict[str, Any] = {
            "type": "observation.recorded",
            "course_id": course_id,
            "key": f"{self.key}|course:{course_id}",
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.measures(),
        }
        if actor is not None:
            event["actor"] = actor
        return event
