"""The same course driven through FHIR R4 and HL7 v2: infusions and weights, with the same
idempotency; unsupported messages refused with a reason and kept verbatim."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from ivig_workflow.db.tables import InboxRow, ReceivedMessageRow
from ivig_workflow.formats.hl7v2 import frame_mllp
from ivig_workflow.formats.redaction import redact_hl7v2
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import LiveApi, local_evening, local_morning

EXT = "https://ivig-workflow.org/fhir/StructureDefinition/"
HL7 = "x-application/hl7-v2+er7"


def medication_administration(
    course_id: str, cycle: int, day: int, dose_g: float, on: str
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": f"ma-{course_id[:8]}-{cycle}-{day}",
        "extension": [
            {"url": EXT + "cycle", "valueInteger": cycle},
            {"url": EXT + "cycle-day", "valueInteger": day},
        ],
        "contained": [
            {
                "resourceType": "Medication",
                "id": "ivig",
                "code": {"coding": [{"system": "urn:ivig-workflow:product", "code": "privigen"}]},
                "batch": {"lotNumber": f"P-{cycle}-{day}"},
            }
        ],
        "status": "completed",
        "medicationReference": {"reference": "#ivig"},
        "subject": {"identifier": {"system": "urn:ivig-workflow:patient", "value": "PSN-0001"}},
        "supportingInformation": [{"reference": f"CarePlan/{course_id}"}],
        "effectiveDateTime": f"{on}T09:30:00+01:00",
        "dosage": {"dose": {"value": dose_g, "system": "http://unitsofmeasure.org", "code": "g"}},
    }


def weight_observation(patient_ref: str, kg: float, key: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": key,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"identifier": {"system": "urn:ivig-workflow:patient", "value": patient_ref}},
        "effectiveDateTime": "2026-01-10T10:00:00+01:00",
        "valueQuantity": {"value": kg, "system": "http://unitsofmeasure.org", "code": "kg"},
    }


def adt_a08(patient_ref: str, control_id: str, weight: str, unit: str = "kg") -> str:
    return (
        "\r".join(
            [
                f"MSH|^~\\&|PAS|DERM-HOSP|IVIG|IVIG-WF|202601101430+0100||ADT^A08^ADT_A01|{control_id}|P|2.5.1",
                "EVN|A08|202601101425+0100",
                f"PID|1||{patient_ref}^^^DERM-HOSP^PI||ZZTEST^ANON||19710304|F",
                f"OBX|1|NM|29463-7^Body weight^LN||{weight}|{unit}^^UCUM|||||F",
            ]
        )
        + "\r"
    )


def test_a_cycle_of_infusions_through_fhir_moves_the_course(api: LiveApi) -> None:
    course = api.start_course()
    course_id, cycle = course["course_id"], course["cycles"][0]
    api.sweep(local_morning(cycle["planned_start"]))
    api.clock.now = local_evening(cycle["planned_dates"][-1])  # the messages arrive after
    resources = [
        medication_administration(course_id, 1, day, dose, on)
        for day, (on, dose) in enumerate(
            zip(cycle["planned_dates"], cycle["doses_g"], strict=True), 1
        )
    ]
    first = api.client.post("/v1/fhir", json=resources[0])
    assert first.status_code == 201, first.text
    assert first.json()["answers"][0]["state"] == "active"
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": r} for r in resources],
    }
    rest = api.client.post("/v1/fhir", json=bundle)
    assert rest.status_code == 200  # day 1 again is a duplicate, the others apply
    assert [a["status"] for a in rest.json()["answers"]] == ["duplicate"] + ["applied"] * (
        len(resources) - 1
    )
    view = api.client.get(f"/v1/courses/{course_id}").json()
    assert view["cycles"][0]["status"] == "completed"
    assert view["cycles"][0]["lots"] == sorted(f"P-1-{d}" for d in range(1, len(resources) + 1))
    with reading(api.engine) as session:
        kept = session.scalars(select(ReceivedMessageRow)).all()
    assert [m.outcome for m in kept] == ["accepted", "accepted"] and kept[0].sender == "ward-a"


def test_a_fhir_weight_reaches_the_patients_open_courses(api: LiveApi) -> None:
    a = api.start_course(patient_ref="PSN-0007")["course_id"]
    b = api.start_course(patient_ref="PSN-0007", indication="pemphigus-vulgaris")["course_id"]
    api.clock.now = local_evening("2026-01-10")  # after the weighing
    response = api.client.post("/v1/fhir", json=weight_observation("PSN-0007", 74.5, "wt-1"))
    assert response.status_code == 201, response.text
    assert sorted(x["course_id"] for x in response.json()["answers"]) == sorted([a, b])
    assert api.client.get(f"/v1/courses/{a}").json()["weight_kg"] == 74.5
    nobody = api.client.post("/v1/fhir", json=weight_observation("PSN-9999", 70, "wt-2"))
    assert nobody.status_code == 404
    assert "no open course" in nobody.json()["answers"][0]["reason"]


def test_an_hl7_weight_fans_out_and_is_acknowledged_once_per_message(api: LiveApi) -> None:
    a = api.start_course(patient_ref="PSN-0042")["course_id"]
    b = api.start_course(patient_ref="PSN-0042", indication="bullous-pemphigoid")["course_id"]
    api.clock.now = local_evening("2026-01-10")  # after the weighing
    message = adt_a08("PSN-0042", "MSG-1", "160", "lb")
    response = api.client.post("/v1/hl7v2", content=message, headers={"Content-Type": HL7})
    assert response.status_code == 200
    assert "MSA|AA|MSG-1" in response.text
    for course_id in (a, b):
        assert api.client.get(f"/v1/courses/{course_id}").json()["weight_kg"] == 72.57
    again = api.client.post("/v1/hl7v2", content=frame_mllp(message))
    assert again.status_code == 200 and again.text.startswith("\x0b")  # framed like the message
    with reading(api.engine) as session:
        keys = session.scalars(select(col(InboxRow.key))).all()
    assert sorted(keys) == sorted(f"hl7:PAS:MSG-1|course:{c}" for c in (a, b))


def test_unsupported_and_broken_messages_are_refused_with_a_reason_and_kept(api: LiveApi) -> None:
    patient = {"resourceType": "Patient", "id": "p1"}
    response = api.client.post("/v1/fhir", json=patient)
    assert response.status_code == 422 and response.json()["status"] == "unsupported"
    assert "resource type Patient is not accepted" in response.json()["errors"][0]["rule"]
    oru = adt_a08("PSN-1", "MSG-9", "70").replace("ADT^A08^ADT_A01", "ORU^R01")
    ack = api.client.post("/v1/hl7v2", content=oru)
    assert ack.status_code == 422 and "MSA|AR|MSG-9" in ack.text
    broken = api.client.post("/v1/hl7v2", content=adt_a08("PSN-1", "MSG-10", "heavy"))
    assert broken.status_code == 422 and "MSA|AE|MSG-10" in broken.text
    not_json = api.client.post("/v1/fhir", content=b"<Patient/>")
    assert not_json.status_code == 422
    with reading(api.engine) as session:
        kept = session.scalars(select(ReceivedMessageRow).order_by(col(ReceivedMessageRow.id)))
        rows = [(m.format, m.outcome, m.raw) for m in kept]
    assert rows == [
        ("fhir", "refused", '{"resourceType":"Patient","id":"p1"}'),
        ("hl7v2", "refused", redact_hl7v2(oru)),  # kept without the name and birth date
        ("hl7v2", "invalid", redact_hl7v2(adt_a08("PSN-1", "MSG-10", "heavy"))),
        ("fhir", "invalid", "<Patient/>"),
    ]
