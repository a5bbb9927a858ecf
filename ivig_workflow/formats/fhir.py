"""FHIR R4 messages -> ward events.

A single MedicationAdministration or Observation, or a transaction/batch Bundle of them,
validated with the `fhir.resources` R4B models (R4B changed neither resource, nor Bundle,
from R4). Every entry is translated in order; one bad entry refuses the whole Bundle so
that a ward never has to work out which half of its message we kept.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir_elements import refusal
from ivig_workflow.formats.fhir_infusion import infusion_event
from ivig_workflow.formats.fhir_observation import observation_message
from ivig_workflow.formats.observation import PatientObservation
from ivig_workflow.formats.product_codes import ProductCodes, default_product_codes

Translated = dict[str, Any] | PatientObservation

SUPPORTED: dict[str, type[Resource]] = {
    "MedicationAdministration": MedicationAdministration,
    "Observation": Observation,
}
BUNDLE_TYPES = ("transaction", "batch")


def _resource_type(raw: object, at: str) -> str:
    if not isinstance(raw, dict):
        raise InputError(at, "must be a JSON object (a FHIR resource)")
    resource_type = raw.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        raise InputError(f"{at}.resourceType", "required")
    return resource_type


def _refuse_unsupported(resource_type: str, at: str) -> None:
    if resource_type not in SUPPORTED:
        raise UnsupportedMessage(
            f"resource type {resource_type} is not accepted; send "
            f"{' or '.join(SUPPORTED)}, alone or in a transaction or batch Bundle",
            element=f"{at}.resourceType",
        )


def _translate(resource: Resource, at: str, codes: ProductCodes) -> Translated:
    if isinstance(resource, MedicationAdministration):
        return infusion_event(resource, at, codes)
    if isinstance(resource, Observation):
        return observation_message(resource, at)
    raise UnsupportedMessage(f"resource type {type(resource).__name__} is not accepted", element=at)


def _bundle(body: dict[str, Any], codes: ProductCodes) -> list[Translated]:
    if body.get("type") not in BUNDLE_TYPES:
        raise UnsupportedMessage(
            f"Bundle type {body.get('type')!r} is not accepted; send transaction or batch",
            element="Bundle.type",
        )
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        raise InputError("Bundle.entry", "required: at least one entry")
    # Checked before parsing: the models cannot even load a resource type they do not know.
    for index, entry in enumerate(entries):
        at = f"Bundle.entry[{index}]"
        if not isinstance(entry, dict) or "resource" not in entry:
            raise InputError(f"{at}.resource", "required")
        _refuse_unsupported(_resource_type(entry["resource"], f"{at}.resource"), f"{at}.resource")
    try:
        bundle = Bundle.model_validate(body)
    except ValidationError as error:
        raise refusal(error, "Bundle") from None
    return [
        _translate(entry.resource, f"Bundle.entry[{index}].resource", codes)
        for index, entry in enumerate(bundle.entry or [])
        if entry.resource is not None
    ]


def translate_fhir(
    body: dict[str, Any], product_codes: ProductCodes | None = None, actor: str | None = None
) -> list[Translated]:
    """Ward-event dicts (for a course) and `PatientObservation`s (for a patient), in the
    order of the message. `actor`, the authenticated sending system, goes on each event."""
    codes = product_codes if product_codes is not None else default_product_codes()
    resource_type = _resource_type(body, "body")
    if resource_type == "Bundle":
        translated = _bundle(body, codes)
    else:
        _refuse_unsupported(resource_type, resource_type)
        try:
            resource = SUPPORTED[resource_type].model_validate(body)
        except ValidationError as error:
            raise refusal(error, resource_type) from None
        translated = [_translate(resource, resource_type, codes)]
    if actor is not None:
        translated = [
            {**item, "actor": actor} if isinstance(item, dict) else item for item in translated
        ]
    return translated
