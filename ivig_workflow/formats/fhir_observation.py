"""A FHIR Observation of weight, height or eGFR -> an `observation.recorded` event for a
course (basedOn CarePlan) or a `PatientObservation` (subject identifier)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.observation import Observation

from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import Measure, measurement
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir_elements import PATIENT_SYSTEM, course_id, instant, sender_key
from ivig_workflow.formats.fhir_infusion import UCUM
from ivig_workflow.formats.observation import PatientObservation

LOINC = "http://loinc.org"
LOINC_MEASURES: dict[str, Measure] = {
    "29463-7": "weight_kg",  # Body weight
    "8302-2": "height_cm",  # Body height
    "33914-3": "egfr",  # eGFR (MDRD) per 1.73 m²
    "62238-1": "egfr",  # eGFR (CKD-EPI) per 1.73 m²
}
# A preliminary value may still change, and one entered in error must not re-plan a dose.
ACCEPTED_STATUSES = ("final", "amended", "corrected")


def _measure(observation: Observation, at: str) -> Measure:
    for coding in observation.code.coding or []:
        if coding.system == LOINC and coding.code in LOINC_MEASURES:
            return LOINC_MEASURES[coding.code]
    known = ", ".join(LOINC_MEASURES)
    raise UnsupportedMessage(
        f"Observation code is none of the LOINC codes we record ({known})", element=f"{at}.code"
    )


def _value(observation: Observation, measure: Measure, at: str) -> float:
    field = f"{at}.valueQuantity"
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        raise InputError(field, "required: value and unit")
    unit = quantity.code if quantity.system == UCUM and quantity.code else quantity.unit or ""
    return measurement(measure, quantity.value, unit or quantity.code or "", field)


def _patient_ref(observation: Observation, at: str) -> str | None:
    subject = observation.subject
    identifier = subject.identifier if subject is not None else None
    if identifier is not None and identifier.system == PATIENT_SYSTEM and identifier.value:
        return identifier.value
    return None


def observation_message(observation: Observation, at: str) -> dict[str, Any] | PatientObservation:
    if observation.status not in ACCEPTED_STATUSES:
        raise UnsupportedMessage(
            f"status {observation.status!r} is not one of {', '.join(ACCEPTED_STATUSES)}",
            element=f"{at}.status",
        )
    measure = _measure(observation, at)
    value = _value(observation, measure, at)
    if observation.effectivePeriod is not None:
        effective: object = observation.effectivePeriod.start
        time_field = f"{at}.effectivePeriod.start"
    else:
        effective = observation.effectiveDateTime or observation.effectiveInstant
        time_field = f"{at}.effectiveDateTime"
    occurred_at = instant(effective, time_field)
    key = sender_key("Observation", observation.id, observation.identifier, f"{at}.id")
    course = course_id(
        (f"{at}.basedOn[{index}]", reference)
        for index, reference in enumerate(observation.basedOn or [])
    )
    if course is not None:
        return {
            "type": "observation.recorded",
            "course_id": course,
            "key": key,
            "occurred_at": occurred_at,
            "data": {measure: value},
        }
    patient_ref = _patient_ref(observation, at)
    if patient_ref is None:
        raise InputError(
            f"{at}.subject",
            f"required: a Patient identifier of {PATIENT_SYSTEM} or basedOn CarePlan/<course id>",
        )
    return PatientObservation(
        patient_ref=patient_ref,
        key=key,
        occurred_at=datetime.fromisoformat(occurred_at),
        **{measure: value},
    )
