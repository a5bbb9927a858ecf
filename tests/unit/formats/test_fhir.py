"""FHIR R4 resources and Bundles -> ward events, with the examples under examples/fhir."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_workflow.domain.course.events import parse_ward_event
from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir import translate_fhir
from ivig_workflow.formats.observation import PatientObservation
from ivig_workflow.formats.product_codes import (
    Coding,
    ProductCodes,
    ProductNaming,
    default_product_codes,
)

EXAMPLES = Path(__file__).parent / "examples" / "fhir"
EXT = "https://ivig-workflow.org/fhir/StructureDefinition/"
CET = timezone(timedelta(hours=1))


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return loaded


def infusion(**changes: Any) -> dict[str, Any]:
    resource = example("medication-administration.json")
    resource.update(changes)
    return resource


def test_medication_administration_becomes_an_infusion_event() -> None:
    assert translate_fhir(example("medication-administration.json")) == [
        {
            "type": "infusion.administered",
            "course_id": "c-7f3a",
            "key": "fhir:MedicationAdministration/ma-2026-0001",
            "occurred_at": "2026-11-25T09:30:00+01:00",
            "data": {
                "cycle": 1,
                "day": 2,
                "dose_g": 40.0,
                "product": "privigen",
                "lot_numbers": ["P100234"],
            },
        }
    ]


def test_transaction_bundle_translates_every_entry_in_order() -> None:
    assert translate_fhir(example("bundle-transaction.json")) == [
        {
            "type": "infusion.administered",
            "course_id": "c-7f3a",
            "key": "fhir:MedicationAdministration/ma-2026-0002",
            "occurred_at": "2026-11-25T09:30:00+01:00",
            "data": {
                "cycle": 1,
                "day": 2,
                "dose_g": 40.0,
                "product": "privigen",
                "lot_numbers": ["P100234"],
            },
        },
        {
            "type": "infusion.administered",
            "course_id": "c-7f3a",
            "key": "fhir:MedicationAdministration?identifier="
            "https://hospital.example/fhir/administration|ADM-88121",
            "occurred_at": "2026-11-26T09:10:00+01:00",
            "data": {
                "cycle": 1,
                "day": 3,
                "dose_g": 35.5,
                "product": "privigen",
                "lot_numbers": ["P100234", "P100299"],
            },
        },
        PatientObservation(
            patient_ref="PSN-0042",
            key="fhir:Observation/obs-wt-0042-1",
            occurred_at=datetime(2026, 11, 26, 8, 45, tzinfo=CET),
            weight_kg=70.8,
        ),
    ]


def course_observation(key: str, data: dict[str, float]) -> dict[str, Any]:
    return {
        "type": "observation.recorded",
        "course_id": "c-7f3a",
        "key": key,
        "occurred_at": "2026-11-24T10:00:00+01:00",
        "data": data,
    }


def patient_observation(key: str, **measure: float) -> PatientObservation:
    return PatientObservation(
        patient_ref="PSN-0042",
        key=key,
        occurred_at=datetime(2026, 11, 24, 10, tzinfo=CET),
        **measure,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "observation-weight-kg.json",
            course_observation("fhir:Observation/obs-wt-kg", {"weight_kg": 71.5}),
        ),
        # 157.6 lb x 0.45359237 = 71.486 kg
        (
            "observation-weight-lb.json",
            patient_observation("fhir:Observation/obs-wt-lb", weight_kg=71.49),
        ),
        (
            "observation-height-cm.json",
            course_observation("fhir:Observation/obs-ht-cm", {"height_cm": 168.0}),
        ),
        # 66.1 in x 2.54 = 167.894 cm
        (
            "observation-height-in.json",
            patient_observation("fhir:Observation/obs-ht-in", height_cm=167.9),
        ),
        (
            "observation-egfr-33914-3.json",
            course_observation("fhir:Observation/obs-egfr-mdrd", {"egfr": 85.0}),
        ),
        (
            "observation-egfr-62238-1.json",
            patient_observation("fhir:Observation/obs-egfr-ckdepi", egfr=58.0),
        ),
    ],
)
def test_observations_for_each_loinc_code(name: str, expected: object) -> None:
    assert translate_fhir(example(name)) == [expected]


def test_malformed_resource_is_refused_with_its_fhir_path() -> None:
    with pytest.raises(InputError) as refused:
        translate_fhir(example("malformed-medication-administration.json"))
    assert refused.value.field == "MedicationAdministration.dosage.dose.value"
    assert "Decimal" in refused.value.rule


def test_unsupported_resource_is_refused_naming_its_type() -> None:
    with pytest.raises(UnsupportedMessage) as refused:
        translate_fhir(example("unsupported-patient.json"))
    assert refused.value.field == "Patient.resourceType"
    assert refused.value.reason.startswith("resource type Patient is not accepted")


def _without_supporting_information() -> dict[str, Any]:
    resource = infusion()
    del resource["supportingInformation"]
    return resource


def _two_courses() -> dict[str, Any]:
    return infusion(
        supportingInformation=[{"reference": "CarePlan/c-1"}, {"reference": "CarePlan/c-2"}]
    )


def _dose(**quantity: Any) -> dict[str, Any]:
    return infusion(dosage={"dose": quantity})


def _extensions(cycle: int | None, day: int | None) -> dict[str, Any]:
    extensions = [{"url": EXT + "cycle", "valueInteger": cycle}] if cycle is not None else []
    if day is not None:
        extensions.append({"url": EXT + "cycle-day", "valueInteger": day})
    return infusion(extension=extensions)


def _no_lot() -> dict[str, Any]:
    resource = infusion()
    del resource["contained"][0]["batch"]
    return resource


def _no_key() -> dict[str, Any]:
    resource = infusion()
    del resource["id"]
    return resource


def _long_identifier() -> dict[str, Any]:
    resource = _no_key()
    resource["identifier"] = [{"system": "https://hospital.example/adm", "value": "9" * 200}]
    return resource


def _bundle(kind: str, *resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def _observation(**changes: Any) -> dict[str, Any]:
    resource = example("observation-weight-lb.json")
    resource.update(changes)
    return resource


def _observation_without_subject() -> dict[str, Any]:
    resource = _observation()
    del resource["subject"]
    return resource


LB = {"system": "http://unitsofmeasure.org"}


@pytest.mark.parametrize(
    ("body", "error", "field", "rule_start"),
    [
        (
            infusion(status="in-progress"),
            UnsupportedMessage,
            "MedicationAdministration.status",
            "status 'in-progress' records no infusion given",
        ),
        (
            _without_supporting_information(),
            InputError,
            "MedicationAdministration.supportingInformation",
            "required: a reference CarePlan/<course id>",
        ),
        (
            _two_courses(),
            InputError,
            "MedicationAdministration.supportingInformation[0], "
            "MedicationAdministration.supportingInformation[1]",
            "references name different courses: c-1, c-2",
        ),
        (
            _extensions(None, 2),
            InputError,
            f"MedicationAdministration.extension('{EXT}cycle')",
            "required: exactly one valueInteger",
        ),
        (
            _extensions(1, 0),
            InputError,
            f"MedicationAdministration.extension('{EXT}cycle-day')",
            "must be 1 or more",
        ),
        (
            _dose(value=400, unit="mL"),
            InputError,
            "MedicationAdministration.dosage.dose",
            "dose unit 'mL' is not g or mg",
        ),
        (
            _dose(value=0, unit="g"),
            InputError,
            "MedicationAdministration.dosage.dose",
            "dose must be more than 0 g",
        ),
        (
            infusion(dosage={"rateQuantity": {"value": 1, "unit": "mL/min"}}),
            InputError,
            "MedicationAdministration.dosage.dose",
            "required: value and unit",
        ),
        (_no_lot(), InputError, "MedicationAdministration.contained", "required: a lot number"),
        (
            infusion(medicationReference={"reference": "#other"}),
            InputError,
            "MedicationAdministration.medicationReference",
            "must point at a contained Medication",
        ),
        (
            infusion(effectiveDateTime="2026-11-25"),
            InputError,
            "MedicationAdministration.effectiveDateTime",
            "required: a dateTime with time of day",
        ),
        (_no_key(), InputError, "MedicationAdministration.id", "required: an id or an identifier"),
        (_long_identifier(), InputError, "MedicationAdministration.id", "too long"),
        (infusion(bogus=1), InputError, "MedicationAdministration.bogus", "Extra inputs"),
        (
            _bundle("collection", infusion()),
            UnsupportedMessage,
            "Bundle.type",
            "Bundle type 'collection' is not accepted",
        ),
        (_bundle("batch"), InputError, "Bundle.entry", "required: at least one entry"),
        (
            _bundle("transaction", infusion(), example("unsupported-patient.json")),
            UnsupportedMessage,
            "Bundle.entry[1].resource.resourceType",
            "resource type Patient is not accepted",
        ),
        (
            _bundle("batch", infusion(), {"resourceType": "NoSuchThing"}),
            UnsupportedMessage,
            "Bundle.entry[1].resource.resourceType",
            "resource type NoSuchThing is not accepted",
        ),
        (
            _bundle("transaction", example("malformed-medication-administration.json")),
            InputError,
            "Bundle.entry[0].resource.dosage.dose.value",
            "Decimal",
        ),
        (
            _bundle("transaction", infusion(), infusion(status="stopped")),
            UnsupportedMessage,
            "Bundle.entry[1].resource.status",
            "status 'stopped'",
        ),
        ({"id": "x"}, InputError, "body.resourceType", "required"),
        (
            _observation(status="preliminary"),
            UnsupportedMessage,
            "Observation.status",
            "status 'preliminary' is not one of final, amended, corrected",
        ),
        (
            _observation(code={"coding": [{"system": "http://loinc.org", "code": "39156-5"}]}),
            UnsupportedMessage,
            "Observation.code",
            "Observation code is none of the LOINC codes",
        ),
        (
            _observation_without_subject(),
            InputError,
            "Observation.subject",
            "required: a Patient identifier of urn:ivig-workflow:patient",
        ),
        (
            _observation(valueQuantity={**LB, "value": 11, "unit": "st", "code": "[stone_av]"}),
            InputError,
            "Observation.valueQuantity",
            "unit '[stone_av]' is not one of",
        ),
        (
            _observation(valueQuantity={**LB, "value": 1571, "unit": "lb", "code": "[lb_av]"}),
            InputError,
            "Observation.valueQuantity",
            "weight_kg 712.594 is outside 0.3..350",
        ),
        (
            _observation(effectiveDateTime=None),
            InputError,
            "Observation.effectiveDateTime",
            "required: a dateTime",
        ),
    ],
)
def test_refusals_name_the_fhir_element(
    body: dict[str, Any], error: type[InputError], field: str, rule_start: str
) -> None:
    with pytest.raises(error) as refused:
        translate_fhir(body)
    assert type(refused.value) is error
    assert refused.value.field == field
    assert refused.value.rule.startswith(rule_start), refused.value.rule


@pytest.mark.parametrize(
    ("concept", "slug"),
    [
        ({"text": "Privigen 10%"}, "privigen"),
        ({"text": "  octagam   10% "}, "octagam-10"),
        ({"text": "intratect-50"}, "intratect-50"),
        ({"coding": [{"system": "urn:ivig-workflow:product", "code": "panzyga"}]}, "panzyga"),
        (
            {"coding": [{"system": "https://hospital.example/formulary", "code": "KIO-10"}]},
            "kiovig",
        ),
        (
            {"coding": [{"system": "https://other.example", "code": "1", "display": "Gamunex-C"}]},
            "gamunex-c",
        ),
    ],
)
def test_product_codes_map_to_our_slugs(concept: dict[str, Any], slug: str) -> None:
    resource = infusion(medicationCodeableConcept=concept)
    del resource["medicationReference"]
    codes = _with_local_coding()
    [event] = translate_fhir(resource, product_codes=codes)
    assert isinstance(event, dict)
    assert event["data"]["product"] == slug


def _with_local_coding() -> ProductCodes:
    table = dict(default_product_codes().products)
    table["kiovig"] = ProductNaming(
        names=table["kiovig"].names,
        codings=(Coding(system="https://hospital.example/formulary", code="KIO-10"),),
    )
    return ProductCodes(products=table)


@pytest.mark.parametrize(
    ("concept", "rule_start"),
    [
        ({"text": "Octagam"}, "unknown product ('Octagam')"),  # two strengths share the brand
        (
            {
                "coding": [
                    {"system": "urn:ivig-workflow:product", "code": "privigen"},
                    {"system": "https://hospital.example/formulary", "code": "KIO-10"},
                ]
            },
            "codings name different products: privigen, kiovig",
        ),
    ],
)
def test_ambiguous_products_are_refused(concept: dict[str, Any], rule_start: str) -> None:
    resource = infusion(medicationCodeableConcept=concept)
    del resource["medicationReference"]
    with pytest.raises(InputError) as refused:
        translate_fhir(resource, product_codes=_with_local_coding())
    assert refused.value.field == "MedicationAdministration.medicationCodeableConcept"
    assert refused.value.rule.startswith(rule_start)


def test_product_code_table_names_every_product_of_the_clinical_reference() -> None:
    assert set(default_product_codes().products) == {
        "privigen",
        "octagam-10",
        "octagam-5",
        "gamunex-c",
        "kiovig",
        "intratect-100",
        "intratect-50",
        "flebogamma-dif-10",
        "flebogamma-dif-5",
        "panzyga",
    }


def test_actor_goes_on_course_events_only() -> None:
    translated = translate_fhir(example("bundle-transaction.json"), actor="ward-derm-3")
    assert [item["actor"] for item in translated if isinstance(item, dict)] == [
        "ward-derm-3",
        "ward-derm-3",
    ]
    assert isinstance(translated[2], PatientObservation)


def test_translated_events_are_valid_ward_events() -> None:
    bodies = [example("bundle-transaction.json")] + [
        example(name.name) for name in sorted(EXAMPLES.glob("observation-*.json"))
    ]
    for body in bodies:
        for item in translate_fhir(body, actor="ward-derm-3"):
            event = item if isinstance(item, dict) else item.as_event("c-9", actor="ward-derm-3")
            assert parse_ward_event(event).key == event["key"]


@given(
    cycle=st.integers(1, 60),
    day=st.integers(1, 5),
    milligrams=st.integers(1, 999_999),
)
def test_any_cycle_day_and_milligram_dose_is_carried_over(
    cycle: int, day: int, milligrams: int
) -> None:
    resource = copy.deepcopy(_extensions(cycle, day))
    resource["dosage"] = {"dose": {"value": milligrams, "unit": "mg"}}
    [event] = translate_fhir(resource)
    assert isinstance(event, dict)
    assert (event["data"]["cycle"], event["data"]["day"]) == (cycle, day)
    assert event["data"]["dose_g"] == pytest.approx(milligrams / 1000, abs=5e-4)
