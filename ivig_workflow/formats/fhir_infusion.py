"""A FHIR MedicationAdministration of IVIg -> an `infusion.administered` ward event."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration

from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import dose_grams
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir_elements import (
    COURSE_SYSTEM,
    CYCLE_DAY_URL,
    CYCLE_URL,
    LOT_NUMBER_URL,
    course_id,
    extension_count,
    extension_values,
    instant,
    sender_key,
)
from ivig_workflow.formats.product_codes import ProductCodes

UCUM = "http://unitsofmeasure.org"


def _medication(administration: MedicationAdministration, at: str) -> Medication | None:
    """The contained Medication that `medicationReference` points at, if any."""
    reference = administration.medicationReference
    if reference is None:
        return None
    target = (reference.reference or "").removeprefix("#")
    for resource in administration.contained or []:
        if isinstance(resource, Medication) and resource.id == target:
            return resource
    raise InputError(f"{at}.medicationReference", "must point at a contained Medication (#id)")


def _product(concept: CodeableConcept | None, codes: ProductCodes, field: str) -> str:
    if concept is None:
        raise InputError(field, "required: the IVIg product given")
    codings = [(coding.system, coding.code) for coding in concept.coding or []]
    texts = [concept.text or ""] + [coding.display or "" for coding in concept.coding or []]
    return codes.product_for(codings, texts, field)


def _lot_numbers(administration: MedicationAdministration, at: str) -> list[str]:
    lots: list[str] = []
    for resource in administration.contained or []:
        if isinstance(resource, Medication) and resource.batch and resource.batch.lotNumber:
            lots.append(resource.batch.lotNumber)
    lots += [str(value) for value in extension_values(administration.extension, LOT_NUMBER_URL)]
    if not lots:
        raise InputError(
            f"{at}.contained",
            "required: a lot number (contained Medication batch.lotNumber or extension "
            f"{LOT_NUMBER_URL})",
        )
    return list(dict.fromkeys(lots))


def _dose(administration: MedicationAdministration, at: str) -> float:
    field = f"{at}.dosage.dose"
    dose = administration.dosage.dose if administration.dosage else None
    if dose is None or dose.value is None:
        raise InputError(field, "required: value and unit (g or mg)")
    unit = dose.code if dose.system == UCUM and dose.code else dose.unit or dose.code or ""
    return dose_grams(dose.value, unit, field)


def infusion_event(
    administration: MedicationAdministration, at: str, codes: ProductCodes
) -> dict[str, Any]:
    if administration.status != "completed":
        raise UnsupportedMessage(
            f"status {administration.status!r} records no infusion given; send it when completed",
            element=f"{at}.status",
        )
    course = course_id(
        [(f"{at}.request", administration.request)]
        + [
            (f"{at}.supportingInformation[{index}]", reference)
            for index, reference in enumerate(administration.supportingInformation or [])
        ]
    )
    if course is None:
        raise InputError(
            f"{at}.supportingInformation",
            f"required: a reference CarePlan/<course id> or an identifier of {COURSE_SYSTEM}",
        )
    medication = _medication(administration, at)
    if medication is not None:
        product = _product(medication.code, codes, f"{at}.medicationReference.code")
    else:
        product = _product(
            administration.medicationCodeableConcept, codes, f"{at}.medicationCodeableConcept"
        )
    period = administration.effectivePeriod
    if period is not None:
        occurred_at = instant(period.start, f"{at}.effectivePeriod.start")
    else:
        occurred_at = instant(administration.effectiveDateTime, f"{at}.effectiveDateTime")
    extensions = administration.extension
    return {
        "type": "infusion.administered",
        "course_id": course,
        "key": sender_key(
            "MedicationAdministration", administration.id, administration.identifier, f"{at}.id"
        ),
        "occurred_at": occurred_at,
        "data": {
            "cycle": extension_count(extensions, CYCLE_URL, f"{at}.extension('{CYCLE_URL}')"),
            "day": extension_count(extensions, CYCLE_DAY_URL, f"{at}.extension('{CYCLE_DAY_URL}')"),
            "dose_g": _dose(administration, at),
            "product": product,
            "lot_numbers": _lot_numbers(administration, at),
        },
    }
