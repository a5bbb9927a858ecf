"""The worklist over HTTP, and closing a task with who and why, once."""

from __future__ import annotations

from tests.api.conftest import LiveApi, local_morning


def open_tasks(api: LiveApi) -> list[dict[str, object]]:
    course = api.start_course()
    api.sweep(local_morning(course["cycles"][0]["planned_start"]))
    listed = api.client.get("/v1/tasks", params={"status": "open"}).json()
    assert listed["items"], "the released cycle raises work"
    items: list[dict[str, object]] = listed["items"]
    return items


def test_tasks_filter_by_role_and_due_date_and_page(api: LiveApi) -> None:
    items = open_tasks(api)
    role = str(items[0]["role"])
    by_role = api.client.get("/v1/tasks", params={"role": role}).json()["items"]
    assert by_role and {t["role"] for t in by_role} == {role}
    early = api.client.get("/v1/tasks", params={"due_before": "2000-01-01T00:00:00Z"}).json()
    assert early["items"] == []
    first = api.client.get("/v1/tasks", params={"limit": 1}).json()
    if len(items) > 1:
        assert first["next"] and api.client.get(first["next"]).json()["offset"] == 1
    naive = api.client.get("/v1/tasks", params={"due_before": "2026-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "query.due_before"


def test_completing_records_who_and_why_and_a_second_close_is_refused(api: LiveApi) -> None:
    task = open_tasks(api)[0]
    done = api.client.post(
        f"/v1/tasks/{task['id']}/complete", json={"by": "nurse-7", "reason": "chair booked"}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["closed_by"], done.json()["close_reason"]) == (
        "done",
        "ward-a/nurse-7",
        "chair booked",
    )
    again = api.client.post(f"/v1/tasks/{task['id']}/cancel", json={"reason": "duplicate"})
    assert again.status_code == 409 and "done already" in again.json()["detail"]


def test_cancelling_needs_a_reason_and_an_existing_task(api: LiveApi) -> None:
    task = open_tasks(api)[0]
    no_reason = api.client.post(f"/v1/tasks/{task['id']}/cancel", json={})
    assert no_reason.status_code == 422
    rule = "required: why the task is cancelled"
    assert no_reason.json()["errors"] == [{"field": "reason", "rule": rule}]
    assert api.client.post("/v1/tasks/999999/complete", json={}).status_code == 404


def test_a_course_with_a_bad_field_is_422_naming_it(api: LiveApi) -> None:
    bad = {
        "patient_ref": "PSN-1",
        "indication": "dermatomyositis",
        "start_date": "2026-13-01",
        "weight_kg": 70,
    }
    response = api.client.post("/v1/courses", json=bad)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "start_date"
    assert api.client.get("/v1/courses/nope").status_code == 404
