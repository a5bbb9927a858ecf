"""A ward system drives a whole dermatomyositis course through /v1/events and watches it
in /v1/courses/{id}; the scheduled sweep releases each cycle, as in production."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import LiveApi, infusion, local_evening, local_morning


def give_pending_cycle(api: LiveApi, course_id: str) -> dict[str, Any]:
    view = api.client.get(f"/v1/courses/{course_id}").json()
    cycle = next(c for c in view["cycles"] if c["status"] in ("planned", "released"))
    api.sweep(local_morning(cycle["planned_start"]))
    api.clock.now = local_evening(cycle["planned_dates"][-1])  # the ward reports after the days
    for day, (on, dose) in enumerate(zip(cycle["planned_dates"], cycle["doses_g"], strict=True), 1):
        key = f"ward-a:{course_id}:{cycle['number']}:{day}"
        response = api.client.post(
            "/v1/events", json=infusion(course_id, key, cycle["number"], day, dose, on)
        )
        assert response.status_code == 201, response.text
    after: dict[str, Any] = api.client.get(f"/v1/courses/{course_id}").json()
    return after


def send(api: LiveApi, course_id: str, type_: str, key: str, on: str, **data: Any) -> int:
    event = {
        "type": type_,
        "course_id": course_id,
        "key": key,
        "occurred_at": f"{on}T10:00:00+01:00",
        "data": data,
    }
    api.clock.now = local_evening(on)
    status: int = api.client.post("/v1/events", json=event).status_code
    return status


def test_a_dermatomyositis_course_from_start_to_completion(api: LiveApi) -> None:
    course_id = api.start_course()["course_id"]
    view = give_pending_cycle(api, course_id)
    assert view["state"] == "active"
    for _ in range(5):
        view = give_pending_cycle(api, course_id)
    assert (view["state"], view["cycles_completed"]) == ("response_review", 6)
    last_day = view["cycles"][5]["planned_dates"][-1]
    assert send(api, course_id, "response.assessed", "review-1", last_day, outcome="good") == 201
    view = api.client.get(f"/v1/courses/{course_id}").json()
    assert (view["state"], view["interval_weeks"]) == ("interval_extension", 5)
    for _ in range(6):
        view = give_pending_cycle(api, course_id)
    assert (view["state"], view["cycles_completed"], view["interval_weeks"]) == ("washout", 12, 6)
    end = view["cycles"][11]["planned_dates"][-1]
    assert send(api, course_id, "course.completed", "done-1", end, reason="remission") == 201
    view = api.client.get(f"/v1/courses/{course_id}").json()
    assert view["state"] == "completed"
    states = [step["to"] for step in view["history"]]
    assert states[0] == "initiation" and states[-1] == "completed"
    assert {"active", "response_review", "interval_extension", "washout"} <= set(states)
    assert {step["actor"] for step in view["history"] if step["event_type"] != "tick"} <= {
        "ward-a",
        None,
    }
    listed = api.client.get("/v1/courses", params={"state": "completed"}).json()
    assert [item["course_id"] for item in listed["items"]] == [course_id]
