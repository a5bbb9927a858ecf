"""POST /v1/courses refuses unsafe plans with a field in words, records an override's
sender and reason, and reports what the vials deliver (issue 11, item 3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.conftest import LiveApi

BODY = {
    "patient_ref": "PSN-0001",
    "indication": "wegener-granulomatosis",
    "start_date": "2026-01-12",
    "weight_kg": 70,
}


def refusal(api: LiveApi, **fields: Any) -> dict[str, str]:
    response = api.client.post("/v1/courses", json={**BODY, **fields})
    assert response.status_code == 422, response.text
    assert "pydantic" not in response.text
    (error,) = response.json()["errors"]
    return dict(error)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"dose_options": {"reduced_dose": True}}, "reduced_dose", "only for renal involvement"),
        ({"dose_options": {"g_per_kg": 1.2}}, "g_per_kg", "below the guideline"),
        ({"indication": "scleroderma"}, "indication", "no recommendation"),
        ({"start_date": "2025-06-01"}, "start_date", "backfill"),
        ({"weight_kg": 0}, "weight_kg", "greater than or equal to 0.3"),
        ({"egfr": 300}, "egfr", "less than or equal to 250"),
    ],
)
def test_unsafe_starts_are_refused_naming_the_field(
    api: LiveApi, fields: dict[str, Any], field: str, words: str
) -> None:
    error = refusal(api, **fields)
    assert error["field"] == field
    assert words in error["rule"]


def test_an_override_records_the_sender_and_the_reason(api: LiveApi) -> None:
    course = api.start_course(
        **BODY, dose_options={"reduced_dose": True}, override_reason="frail, agreed", actor="dr-b"
    )
    assert course["override"]["reason"] == "frail, agreed"
    assert course["override"]["by"] == "ward-a/dr-b"
    shown = api.client.get(f"/v1/courses/{course['course_id']}").json()
    assert shown["override"] == course["override"]
    cycle = shown["cycles"][0]
    assert cycle["prescribed_g"] == 70
    assert cycle["delivered_fraction"] == round(cycle["total_g"] / 70, 4)


def test_a_backfill_may_start_long_ago(api: LiveApi) -> None:
    # 2 June 2025 is a Monday: the cycle's days fit that week.
    course = api.start_course(**{**BODY, "start_date": "2025-06-02"}, backfill=True)
    assert course["cycles"][0]["planned_start"] == "2025-06-02"


def test_a_held_cycle_is_confirmed_through_the_events_endpoint(api: LiveApi) -> None:
    course = api.start_course(**{**BODY, "indication": "pemphigus-vulgaris", "egfr": 18})
    course_id = course["course_id"]
    api.sweep(datetime(2026, 1, 5, 9, tzinfo=UTC))
    cycle = api.client.get(f"/v1/courses/{course_id}").json()["cycles"][0]
    assert (cycle["status"], len(cycle["planned_dates"])) == ("planned", 5)
    event = {
        "type": "cycle.release_confirmed",
        "course_id": course_id,
        "key": "confirm-1",
        "occurred_at": "2026-01-05T10:00:00+01:00",
        "actor": "dr-b",
        "data": {"cycle": 1, "reason": "benefit outweighs renal risk"},
    }
    assert api.client.post("/v1/events", json=event).status_code == 201
    api.sweep(datetime(2026, 1, 5, 10, tzinfo=UTC))
    cycle = api.client.get(f"/v1/courses/{course_id}").json()["cycles"][0]
    assert cycle["status"] == "released"
    assert cycle["release_confirmation"]["by"] == "ward-a/dr-b"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"patient_ref": "has space"}, "patient_ref", "only letters, digits"),
        ({"dose_options": {"sex": "x"}}, "dose_options.sex", "'female' or 'male'"),
        ({"start_date": "12/01/2026"}, "start_date", "date"),
    ],
)
def test_malformed_fields_are_named_in_words(
    api: LiveApi, fields: dict[str, Any], field: str, words: str
) -> None:
    error = refusal(api, **fields)
    assert error["field"] == field
    assert words in error["rule"]
    assert "http" not in error["rule"]
