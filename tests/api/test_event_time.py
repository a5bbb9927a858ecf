"""Event time over HTTP (issue 11): the course catches up to the event's instant.

On a fresh database no sweep has run; cycle 1 given on its planned day used to be
refused (409, "none is released") at 09:02 and applied at 09:06 after the sweep.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.api.conftest import LiveApi, infusion


def test_cycle_1_on_its_planned_day_is_applied_with_no_sweep_run(api: LiveApi) -> None:
    course = api.start_course()
    cycle = course["cycles"][0]
    assert cycle["status"] == "planned"
    api.clock.now = datetime(2026, 1, 12, 9, 2, tzinfo=ZoneInfo("Europe/Berlin"))
    event = infusion(course["course_id"], "fresh-1", 1, 1, cycle["doses_g"][0], "2026-01-12")
    response = api.client.post("/v1/events", json=event)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["state"] == "active"
    assert [t["rule"] for t in answer["transitions"]] == ["cycle.released", "course.first_infusion"]
    view = api.client.get(f"/v1/courses/{course['course_id']}").json()
    assert view["cycles"][0]["status"] == "in_progress"
    assert [step["rule"] for step in view["history"]][1:] == [
        "cycle.released",
        "course.first_infusion",
    ]
    assert view["history"][1]["key"] == "fresh-1"  # the catch-up names the event it ran for
