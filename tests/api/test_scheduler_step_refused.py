"""`cycle.rescheduled` is the chair scheduler's own step: a ward that sends it over
real HTTP is answered 422 naming the rule, and the course does not move."""

from __future__ import annotations

from tests.api.conftest import LiveApi


def test_a_ward_cannot_move_a_cycle_with_the_schedulers_step(api: LiveApi) -> None:
    course = api.start_course()
    event = {
        "type": "cycle.rescheduled",
        "course_id": course["course_id"],
        "key": "move-1",
        "occurred_at": "2026-01-05T09:00:00+01:00",
        "actor": "scheduler",
        "data": {
            "cycle": 1,
            "start": "2026-01-14",
            "days": ["2026-01-14", "2026-01-15", "2026-01-16"],
            "target": "2026-01-12",
            "earliest": "2026-01-09",
            "latest": "2026-01-19",
            "reason": "chairs",
            "rule": "chairs.level_load",
            "citation": "guideline",
        },
    }
    response = api.client.post("/v1/events", json=event)
    assert response.status_code == 422, response.text
    body = response.json()
    [error] = body["errors"]
    assert error["field"] == "type"
    assert "chair scheduler's own step" in error["rule"]
    shown = api.client.get(f"/v1/courses/{course['course_id']}").json()
    assert shown["cycles"][0]["planned_start"] == "2026-01-12"
