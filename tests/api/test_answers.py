"""Every answer a ward system can get for one event, and that nothing it sent is lost."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from ivig_workflow.db.tables import InboxRow, ReceivedMessageRow, TransitionLogRow
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import LiveApi, infusion, local_evening, local_morning


def first_infusion(api: LiveApi, key: str = "ward-a:ma-1") -> tuple[str, dict[str, object]]:
    course = api.start_course()
    cycle = course["cycles"][0]
    api.sweep(local_morning(cycle["planned_start"]))  # the sweep releases cycle 1
    api.clock.now = local_evening(cycle["planned_dates"][0])  # the event arrives after it happened
    event = infusion(course["course_id"], key, 1, 1, cycle["doses_g"][0], cycle["planned_dates"][0])
    return course["course_id"], event


def test_a_new_event_applies_with_201_and_the_new_state_and_its_passage(api: LiveApi) -> None:
    course_id, event = first_infusion(api)
    response = api.client.post("/v1/events", json=event)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["state"], body["course_id"]) == ("applied", "active", course_id)
    assert body["transitions"][0]["to"] == "active" and body["transitions"][0]["citation"]
    history = api.client.get(f"/v1/courses/{course_id}").json()["history"]
    assert history[-1]["actor"] == "ward-a"  # the token's name is the actor


def test_the_same_key_again_is_200_duplicate_with_the_first_answer(api: LiveApi) -> None:
    _, event = first_infusion(api)
    assert api.client.post("/v1/events", json=event).status_code == 201
    transitions, inbox = api.count(TransitionLogRow), api.count(InboxRow)
    again = api.client.post("/v1/events", json=event)
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["first_status"]) == ("duplicate", "applied")
    assert (api.count(TransitionLogRow), api.count(InboxRow)) == (transitions, inbox)


def test_an_event_the_state_does_not_allow_is_409_with_rule_and_passage(api: LiveApi) -> None:
    course = api.start_course()
    event = {
        "type": "response.assessed",
        "course_id": course["course_id"],
        "key": "r-1",
        "occurred_at": "2026-01-20T10:00:00+01:00",
        "data": {"outcome": "good"},
    }
    api.clock.now = local_evening("2026-01-20")
    response = api.client.post("/v1/events", json=event)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "refused" and body["rule"] == "transition_table"
    assert "not allowed in state initiation" in body["reason"]
    assert body["citation"]  # the passage behind the state that refused it
    with reading(api.engine) as session:
        kept = session.scalar(select(InboxRow).where(col(InboxRow.key) == "r-1"))
        assert kept is not None and kept.status.value == "refused"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"type": "infusion.administered", "course_id": ', "body"),
        (
            b'{"type": "relapse.reported", "course_id": "c", "key": "k", "occurred_at": '
            b'"2026-01-12T09:00:00"}',
            "occurred_at",
        ),
        (b"[1, 2]", "event"),
    ],
)
def test_a_bad_body_is_422_naming_the_field_and_the_raw_text_is_kept(
    api: LiveApi, raw: bytes, field: str
) -> None:
    response = api.client.post(
        "/v1/events", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "invalid" and body["errors"][0]["field"].startswith(field)
    with reading(api.engine) as session:
        kept = session.get(InboxRow, body["inbox_id"])
        assert kept is not None and kept.raw == raw.decode()


def test_an_unknown_course_is_404_and_kept(api: LiveApi) -> None:
    event = {
        "type": "course.held",
        "course_id": "no-such-course",
        "key": "h-1",
        "occurred_at": "2026-01-12T09:00:00+01:00",
        "data": {"reason": "fever"},
    }
    response = api.client.post("/v1/events", json=event)
    assert (response.status_code, response.json()["status"]) == (404, "unknown_course")
    assert api.count(InboxRow) == 1


def test_a_body_over_64_kib_is_413_by_length_and_by_stream_and_its_first_64_kib_kept(
    api: LiveApi,
) -> None:
    big = b'{"pad": "' + b"x" * (64 * 1024) + b'"}'
    by_length = api.client.post("/v1/events", content=big)
    assert by_length.status_code == 413 and by_length.json()["status"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed size is what counts
        for _ in range(70):
            yield b"x" * 1024

    by_stream = api.client.post("/v1/events", content=chunks())
    assert by_stream.status_code == 413
    with reading(api.engine) as session:
        kept = [session.get(InboxRow, r.json()["inbox_id"]) for r in (by_length, by_stream)]
    assert [len(row.raw) for row in kept if row] == [64 * 1024, 64 * 1024]
    assert kept[0] is not None and kept[0].raw == big[: 64 * 1024].decode()
    assert api.client.post("/v1/courses", content=big).status_code == 413  # nothing kept there
    assert api.count(InboxRow) == 2


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic d2FyZDpzZWNyZXQ="])
def test_without_a_valid_token_401_and_nothing_stored(
    api: LiveApi, authorization: str | None
) -> None:
    course_id, event = first_infusion(api)
    headers = {"Authorization": authorization} if authorization else {}
    for path, body in (
        ("/v1/events", event),
        ("/v1/events/batch", [event]),
        ("/v1/fhir", {}),
        ("/v1/courses", {}),
        ("/v1/hl7v2", "MSH|"),
    ):
        response = api.anonymous.post(path, content=json.dumps(body), headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.anonymous.get(f"/v1/courses/{course_id}", headers=headers).status_code == 401
    assert api.anonymous.get("/readyz", headers=headers).status_code == 401
    assert api.count(InboxRow) == 0 and api.count(ReceivedMessageRow) == 0


def test_healthz_is_open_and_readyz_reports_the_schema(api: LiveApi) -> None:
    assert api.anonymous.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["schema"] == "current"


def test_a_batch_answers_each_event_on_its_own(api: LiveApi) -> None:
    _, event = first_infusion(api)
    unknown = {**event, "course_id": "nope", "key": "other"}
    response = api.client.post("/v1/events/batch", json=[event, event, unknown, {"type": 1}])
    assert response.status_code == 200
    assert [a["http_status"] for a in response.json()] == [201, 200, 404, 422]


def test_a_batch_over_500_is_422_and_kept(api: LiveApi) -> None:
    response = api.client.post("/v1/events/batch", json=[{}] * 501)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "rule": "at most 500 events, got 501"}]
    assert api.count(ReceivedMessageRow) == 1 and api.count(InboxRow) == 0
