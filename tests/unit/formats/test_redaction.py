"""Redaction of identifying fields, on messages that parse and on text that does not."""

from __future__ import annotations

import json

import pytest

from ivig_workflow.formats.redaction import redact_hl7v2, redact_json_text

MSH = "MSH|^~\\&|PAS|H|IVIG|W|202601101430||ADT^A08|C1|P|2.5.1"


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        (
            f"{MSH}\rPID|1||PSN-1^^^H^PI||DOE^JANE||19630417|F\r",
            f"{MSH}\rPID|1||PSN-1^^^H^PI||REDACTED||REDACTED|F\r",
        ),
        (
            f"{MSH}\nPID|1||PSN-1||DOE^JANE|||F|||1 LANE||555|556\n",
            f"{MSH}\nPID|1||PSN-1||REDACTED|||F|||REDACTED||REDACTED|REDACTED\n",
        ),
        ("NK1|1|DOE^JANE|MTH|1 LANE|555", "NK1|1|REDACTED|REDACTED|REDACTED|REDACTED"),
        ("\x0bPID#1##PSN-1##DOE^JANE\x1c\r", "\x0bPID#1##PSN-1##REDACTED\x1c\r"),  # own separator
        ("OBX|1|NM|29463-7^PID weight||70|kg", "OBX|1|NM|29463-7^PID weight||70|kg"),
        ("not hl7 at all, PID", "not hl7 at all, PID"),
    ],
)
def test_hl7_identifying_fields_are_redacted_line_by_line(message: str, kept: str) -> None:
    assert redact_hl7v2(message) == kept


def test_fhir_patients_and_reference_displays_are_redacted_codings_kept() -> None:
    patient = {
        "resourceType": "Patient",
        "id": "p",
        "name": [{"family": "Doe"}],
        "birthDate": "1963-04-17",
        "gender": "female",
        "telecom": [{"value": "555"}],
        "address": [{"city": "X"}],
    }
    message = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": patient},
            {
                "resource": {
                    "resourceType": "Observation",
                    "contained": [patient],
                    "subject": {"reference": "#p", "display": "Jane Doe"},
                    "code": {"coding": [{"code": "29463-7", "display": "Weight"}]},
                    "extension": [{"url": "u", "valueHumanName": {"text": "J"}}],
                }
            },
        ],
    }
    redacted = json.loads(redact_json_text(json.dumps(message)))
    for resource in (
        redacted["entry"][0]["resource"],
        redacted["entry"][1]["resource"]["contained"][0],
    ):
        assert resource == {
            "resourceType": "Patient",
            "id": "p",
            "name": "REDACTED",
            "birthDate": "REDACTED",
            "gender": "female",
            "telecom": "REDACTED",
            "address": "REDACTED",
        }
    observation = redacted["entry"][1]["resource"]
    assert observation["subject"] == {"reference": "#p", "display": "REDACTED"}
    assert observation["code"]["coding"][0]["display"] == "Weight"
    assert observation["extension"][0]["valueHumanName"] == "REDACTED"


def test_json_without_identifiers_is_kept_byte_for_byte() -> None:
    event = '{"type":"infusion.administered",  "key": "k1", "data": {"name": "privigen"}}'
    assert redact_json_text(event) is event


@pytest.mark.parametrize(
    "cut",
    [
        '{"resourceType":"Patient","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1963',
        '{"subject":{"display":"Jane Doe"},"telecom":[{"value":"555"}],"address":[{"line":["1',
        "[" * 5000 + '{"display": "Jane Doe"}',
    ],
)
def test_text_that_is_not_json_is_redacted_by_its_keys(cut: str) -> None:
    redacted = redact_json_text(cut)
    for planted in ("Doe", "Jane", "1963", "555", '"1'):
        assert planted not in redacted.replace("[" * 5000, "")
