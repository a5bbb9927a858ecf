"""Every bad input gets a 4xx in the usual shape, and what a ward sent is kept (issue 12,
findings 2 and 6): `status`, `reason`, `errors [{field, rule}]` in words, never a 500,
never a pydantic URL; the raw body in the inbox, or in `received_messages` for batches
and hospital formats, whatever was wrong with it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import col, select

from ivig_workflow.db.tables import InboxRow, ReceivedMessageRow
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import LiveApi
from tests.api.test_hospital_formats import adt_a08

JSON = "application/json"
DEEP = b"[" * 30_000
DATES = "must be between 2000-01-01 and 2100-12-31"


def event(**fields: Any) -> bytes:
    body = {
        "type": "course.held",
        "course_id": "c-1",
        "key": "held-1",
        "occurred_at": "2026-01-12T09:00:00+01:00",
        "data": {"reason": "fever"},
        **fields,
    }
    return json.dumps(body).encode()


INFUSION_NAN = (
    b'{"type": "infusion.administered", "course_id": "c-1", "key": "i-1", '
    b'"occurred_at": "2026-01-12T09:00:00+01:00", "data": {"cycle": 1, "day": 1, '
    b'"dose_g": NaN, "product": "privigen", "lot_numbers": ["L1"]}}'
)

# path, body, Content-Type, status, field, words of the rule
KEPT_CASES = [
    ("/v1/events", event(occurred_at="9999-12-31T23:59:59-14:00"), JSON, 422, "occurred_at", DATES),
    ("/v1/events", event(occurred_at="0001-01-01T00:00:00+14:00"), JSON, 422, "occurred_at", DATES),
    ("/v1/events", DEEP, JSON, 422, "body", "nests deeper than 64"),
    ("/v1/events", event(), "text/plain", 415, "Content-Type", "must be application/json"),
    (
        "/v1/events",
        b'{"type": "course.held", "key": "\xff"}',
        JSON,
        422,
        "body",
        "is not UTF-8 text (byte 0xff at offset 32)",
    ),
    ("/v1/events", INFUSION_NAN, JSON, 422, "data.dose_g", "must be a finite number"),
    (
        "/v1/events",
        b'{"type": "course.held", "course_id": ',
        JSON,
        422,
        "body",
        "is not valid JSON: Expecting value at line 1 column 38 (character 37)",
    ),
    ("/v1/events", b'{"key": ' + b"7" * 5000 + b"}", JSON, 422, "body", "more digits"),
    ("/v1/events/batch", DEEP, JSON, 422, "body", "nests deeper than 64"),
    ("/v1/events/batch", b"[]", "text/plain", 415, "Content-Type", "must be application/json"),
    ("/v1/fhir", DEEP, "application/fhir+json", 422, "body", "nests deeper than 64"),
    (
        "/v1/fhir",
        b'{"resourceType": "Observation"}',
        "text/xml",
        415,
        "Content-Type",
        "must be application/fhir+json or application/json",
    ),
]


@pytest.mark.parametrize(("path", "raw", "content_type", "code", "field", "words"), KEPT_CASES)
def test_a_bad_body_is_4xx_in_the_usual_shape_and_kept(
    api: LiveApi, path: str, raw: bytes, content_type: str, code: int, field: str, words: str
) -> None:
    response = api.client.post(path, content=raw, headers={"Content-Type": content_type})
    assert response.status_code == code, response.text
    body = response.json()
    assert body["status"] == ("unsupported_media_type" if code == 415 else "invalid")
    assert body["errors"][0]["field"] == field and words in body["errors"][0]["rule"]
    assert body["reason"].startswith(f"{field}: ") and "pydantic" not in response.text
    kept = raw.decode("utf-8", "replace")
    with reading(api.engine) as session:
        if path == "/v1/events":
            row = session.get(InboxRow, body["inbox_id"])
            assert row is not None and row.raw == kept and row.status.value == "invalid"
        else:
            stored = session.scalars(select(ReceivedMessageRow)).one()
            assert stored.raw == kept and stored.outcome == "invalid"


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/json", None]
)
def test_json_with_a_charset_or_no_content_type_is_read_as_json(
    api: LiveApi, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.client.post("/v1/events", content=event(), headers=headers)
    assert (response.status_code, response.json()["status"]) == (404, "unknown_course")
    fhir = api.client.post(
        "/v1/fhir",
        content=b'{"resourceType": "Patient"}',
        headers={"Content-Type": "application/fhir+json"},
    )
    assert fhir.json()["status"] == "unsupported"


def course(**fields: Any) -> dict[str, Any]:
    return {
        "patient_ref": "PSN-0001",
        "indication": "dermatomyositis",
        "start_date": "2026-01-12",
        "weight_kg": 70,
        **fields,
    }


COURSE_CASES = [
    (json.dumps(course(start_date="9999-12-31")).encode(), JSON, 422, "start_date", DATES),
    (json.dumps(course(start_date="0001-01-01")).encode(), JSON, 422, "start_date", DATES),
    (
        json.dumps(course(weight_kg=-70)).encode(),
        JSON,
        422,
        "weight_kg",
        "must be greater than or equal to 0.3",
    ),
    (
        b'{"patient_ref": "PSN-0001", ',
        JSON,
        422,
        "body",
        "is not valid JSON: Expecting property name enclosed in double quotes at character 28",
    ),
    (b'{"patient_ref": "\xff"}', JSON, 422, "body", "is not UTF-8 text"),
    (DEEP, JSON, 422, "body", "nests deeper than 64"),
    (json.dumps(course()).encode(), "text/plain", 415, "Content-Type", "must be application/json"),
    (
        json.dumps(course(weight_kg=float("nan"))).encode(),
        JSON,
        422,
        "weight_kg",
        "must be a finite number",
    ),
]


@pytest.mark.parametrize(("raw", "content_type", "code", "field", "words"), COURSE_CASES)
def test_a_bad_course_is_4xx_naming_the_field_in_words(
    api: LiveApi, raw: bytes, content_type: str, code: int, field: str, words: str
) -> None:
    response = api.client.post("/v1/courses", content=raw, headers={"Content-Type": content_type})
    assert response.status_code == code, response.text
    body = response.json()
    assert body["errors"] == [{"field": field, "rule": body["errors"][0]["rule"]}]
    assert words in body["errors"][0]["rule"] and body["reason"].startswith(f"{field}: ")
    assert "http" not in body["errors"][0]["rule"]  # no documentation URL as the rule


def test_an_hl7_message_cut_inside_msh_says_so_and_is_kept(api: LiveApi) -> None:
    whole = adt_a08("PSN-0001", "MSG-1", "70")
    cut = whole[: whole.index("ADT^A08")]
    response = api.client.post("/v1/hl7v2", content=cut)
    assert response.status_code == 422
    assert "MSH: the MSH segment is incomplete: it ends at MSH-9" in response.text
    assert "\\S\\" not in response.text
    with reading(api.engine) as session:
        kept = session.scalars(select(ReceivedMessageRow).order_by(col(ReceivedMessageRow.id)))
        assert [(m.raw, m.outcome) for m in kept] == [(cut, "invalid")]


@pytest.mark.parametrize("path", ["/v1/events/batch", "/v1/fhir", "/v1/hl7v2"])
def test_a_message_over_64_kib_is_413_and_its_first_64_kib_kept(api: LiveApi, path: str) -> None:
    big = b"[" + b'"x",' * (20 * 1024) + b'"x"]'
    response = api.client.post(path, content=big, headers={"Content-Type": JSON})
    assert response.status_code == 413 and response.json()["status"] == "too_large"
    assert response.headers["connection"] == "close"  # the rest was never read
    with reading(api.engine) as session:
        stored = session.scalars(select(ReceivedMessageRow)).one()
    assert stored.raw == big[: 64 * 1024].decode() and stored.outcome == "invalid"
