"""Privacy by construction: identifiers planted in every message format, sent over real HTTP,
reach neither the database (its file and WAL, or PostgreSQL's rows), nor the logs, nor
the notification file; the messages are still kept, redacted, for the operators."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel, select

from ivig_workflow.db.tables import ReceivedMessageRow
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.dispatch import dispatch_due
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import LiveApi, local_evening, local_morning
from tests.api.test_hospital_formats import EXT, HL7

PLANTED = [
    "DOE^JANE",
    "19630417",
    "1963-04-17",
    "PLANTED LANE",
    "Planted Lane",
    "5550199",
    "555-0199",
    "Doeplanted",
    "Janeplanted",
    "Jane Doeplanted",
    "SPRINGFIELDX",
]
PID = (
    "PID|1||PSN-0001^^^DERM-HOSP^PI||DOE^JANE^Q||19630417|F|||12 PLANTED LANE^^SPRINGFIELDX"
    "^^12345||555-0199^PRN|555-0199^WPN"
)
NK1 = "NK1|1|DOE^JANE|MTH|12 PLANTED LANE^^SPRINGFIELDX|555-0199"
PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"family": "Doeplanted", "given": ["Janeplanted"]}],
    "telecom": [{"system": "phone", "value": "555-0199"}],
    "birthDate": "1963-04-17",
    "address": [{"line": ["12 Planted Lane"], "city": "SPRINGFIELDX"}],
}
SUBJECT = {
    "identifier": {"system": "urn:ivig-workflow:patient", "value": "PSN-0001"},
    "display": "Jane Doeplanted",
}


def hl7(kind: str, control: str, *segments: str) -> str:
    msh = f"MSH|^~\\&|PAS|DERM-HOSP|IVIG|IVIG-WF|202601101430+0100||{kind}|{control}|P|2.5.1"
    return "\r".join([msh, *segments]) + "\r"


OBX = "OBX|1|NM|29463-7^Body weight^LN||71|kg^^UCUM|||||F"


def administration(course_id: str, cycle: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": "ma-privacy",
        "extension": [
            {"url": EXT + "cycle", "valueInteger": 1},
            {"url": EXT + "cycle-day", "valueInteger": 1},
        ],
        "contained": [
            PATIENT,
            {
                "resourceType": "Medication",
                "id": "ivig",
                "code": {"coding": [{"system": "urn:ivig-workflow:product", "code": "privigen"}]},
                "batch": {"lotNumber": "P-1-1"},
            },
        ],
        "status": "completed",
        "medicationReference": {"reference": "#ivig"},
        "subject": SUBJECT,
        "supportingInformation": [
            {"reference": f"CarePlan/{course_id}", "display": "Jane Doeplanted's plan"}
        ],
        "effectiveDateTime": f"{cycle['planned_dates'][0]}T09:30:00+01:00",
        "dosage": {
            "dose": {
                "value": cycle["doses_g"][0],
                "system": "http://unitsofmeasure.org",
                "code": "g",
            }
        },
    }


def observation(key: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": key,
        "status": "final",
        "contained": [PATIENT],
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]
        },
        "subject": SUBJECT,
        "effectiveDateTime": "2026-01-10T10:00:00+01:00",
        "valueQuantity": {"value": 70.5, "system": "http://unitsofmeasure.org", "code": "kg"},
    }


def database_text(engine: Engine) -> bytes:
    """Every byte the database holds: the SQLite file and its WAL, or PostgreSQL's rows."""
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dump = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
            dump.append(repr(rows))
    return "\n".join(dump).encode()


def test_identifiers_planted_in_every_format_are_stored_nowhere(
    api: LiveApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    course = api.start_course()
    course_id, cycle = course["course_id"], course["cycles"][0]
    api.sweep(local_morning(cycle["planned_start"]))
    api.clock.now = local_evening(cycle["planned_start"])  # the messages' events have happened

    def post_hl7(body: str) -> httpx.Response:
        return api.client.post("/v1/hl7v2", content=body, headers={"Content-Type": HL7})

    answers = [
        post_hl7(hl7("ADT^A08^ADT_A01", "C1", "EVN|A08|202601101425+0100", PID, NK1, OBX)),
        post_hl7(hl7("ORU^R01", "C2", PID, NK1, OBX)),  # refused: not a message type we take
        post_hl7(hl7("RAS^O17", "C3", PID, "RXA|0|1|20260110")),  # refused as well
        post_hl7(f"MSH|^~\\&\r{PID}\r{NK1}"),  # cut short: invalid, redacted by line
        post_hl7(f"{PID}\r{NK1}\r"),  # no MSH at all
        api.client.post("/v1/fhir", json=administration(course_id, cycle)),
        api.client.post(
            "/v1/fhir",
            json={
                "resourceType": "Bundle",
                "type": "batch",
                "entry": [{"resource": observation("o1")}],
            },
        ),
        api.client.post("/v1/fhir", json=observation("o2")),
        api.client.post("/v1/fhir", json=PATIENT),  # refused: unsupported resource
        api.client.post(
            "/v1/fhir",
            content=json.dumps(observation("o3"))[:-40],
            headers={"Content-Type": "application/json"},
        ),  # not JSON any more
        api.client.post(
            "/v1/events",
            json={
                "type": "infusion.administered",
                "course_id": course_id,
                "key": "k-display",
                "occurred_at": "2026-01-12T09:00:00+01:00",
                "patient": {"display": "Jane Doeplanted"},
                "data": {"cycle": 1, "day": 2, "dose_g": 10, "product": "privigen"},
            },
        ),
        api.client.post("/v1/events/batch", json={"subject": SUBJECT}),  # not an array
        api.client.post(
            "/v1/events/batch",
            json=[
                {
                    "type": "observation.recorded",
                    "course_id": course_id,
                    "key": "k-b",
                    "subject": SUBJECT,
                }
            ],
        ),
    ]
    assert [a.status_code for a in answers][:3] == [200, 422, 422], [a.text for a in answers]
    assert answers[5].status_code == 201, answers[5].text
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
    monkeypatch.setenv("IVIG_STATE_DIR", str(tmp_path))
    dispatch_due(api.clock.now, engine=api.engine, router=Router.load())

    stored = database_text(api.engine)
    notifications = b"".join(p.read_bytes() for p in tmp_path.glob("*.jsonl"))
    assert notifications  # refusals were notified, so the file was really scanned
    for planted in PLANTED:
        assert planted.encode() not in stored, f"{planted!r} is in the database"
        assert planted.encode() not in notifications, f"{planted!r} is in a notification"
        assert planted not in caplog.text, f"{planted!r} was logged"
    with reading(api.engine) as session:
        kept = session.scalars(select(ReceivedMessageRow)).all()
    assert len(kept) == 11  # every message is still kept, for the operators to read
    assert all("REDACTED" in row.raw for row in kept if row.format != "batch" or "{" in row.raw)
    adt = next(row.raw for row in kept if "C1" in row.raw)
    pid = "PID|1||PSN-0001^^^DERM-HOSP^PI||REDACTED||REDACTED|F|||REDACTED||REDACTED|REDACTED"
    assert pid in adt
    assert "NK1|1|REDACTED|REDACTED|REDACTED|REDACTED" in adt and "OBX|1|NM|29463-7" in adt
