"""Transitions reach a real Prefect server as events, through the transition-log outbox;
a server that is down delays them and loses none."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from prefect.settings import PREFECT_API_URL
from sqlalchemy import Engine

from ivig_workflow.db.tables import PrefectEventCursor, TransitionLogRow
from ivig_workflow.orchestrator.prefect_events import relay_transitions
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import LiveApi, infusion, local_evening, local_morning


@pytest.fixture
def prefect_api(prefect_server: None) -> str:
    url = PREFECT_API_URL.value()
    assert url
    return str(url)


def course_events(api_url: str, course_id: str, expected: int) -> list[dict[str, Any]]:
    query = {
        "filter": {
            "occurred": {"since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"},
            "resource": {"id": [f"ivig.course.{course_id}"]},
        },
        "limit": 50,
    }
    deadline = time.monotonic() + 20
    while True:  # the server persists events asynchronously
        found: list[dict[str, Any]] = httpx.post(f"{api_url}/events/filter", json=query).json()[
            "events"
        ]
        if len(found) >= expected or time.monotonic() > deadline:
            return sorted(found, key=lambda e: e["occurred"])
        time.sleep(0.3)


def cursor(engine: Engine) -> int:
    with reading(engine) as session:
        row = session.get(PrefectEventCursor, "prefect")
        return row.last_transition_id if row else 0


def test_each_transition_shows_as_a_prefect_event(api: LiveApi, prefect_api: str) -> None:
    course = api.start_course(patient_ref="PSN-0100")
    cycle = course["cycles"][0]
    api.sweep(local_morning(cycle["planned_start"]))
    api.clock.now = local_evening(cycle["planned_dates"][0])  # the event arrives after it happened
    event = infusion(
        course["course_id"], "k-1", 1, 1, cycle["doses_g"][0], cycle["planned_dates"][0]
    )
    assert api.client.post("/v1/events", json=event).status_code == 201
    transitions = api.count(TransitionLogRow)
    assert relay_transitions(api.engine, api_url=prefect_api) == transitions
    assert relay_transitions(api.engine, api_url=prefect_api) == 0  # nothing twice
    found = course_events(prefect_api, course["course_id"], transitions)
    assert len(found) == transitions  # the start, the sweep's release, the first infusion
    assert (found[0]["event"], found[-1]["event"]) == (
        "ivig.course.initiation",
        "ivig.course.active",
    )
    active = found[-1]
    related = {(r["prefect.resource.role"], r["prefect.resource.id"]) for r in active["related"]}
    assert related == {("patient", "ivig.patient.PSN-0100"), ("centre", "ivig.centre.main")}
    payload = active["payload"]
    assert (payload["cycle"], payload["series"], payload["interval_weeks"]) == (1, 1, 4)
    assert payload["event_key"] == "k-1" and payload["trigger"] == "infusion.administered"
    assert payload["rule"] and payload["citation"].startswith("EDF/EADV")


def test_a_server_that_is_down_loses_nothing(api: LiveApi, prefect_api: str) -> None:
    course = api.start_course(patient_ref="PSN-0101")
    down = "http://127.0.0.1:9/api"  # the discard port: nothing listens
    assert relay_transitions(api.engine, api_url=down, timeout=2) == 0
    assert cursor(api.engine) == 0
    assert api.client.get(f"/v1/courses/{course['course_id']}").status_code == 200
    assert relay_transitions(api.engine, api_url=prefect_api) == 1
    assert cursor(api.engine) > 0
    assert len(course_events(prefect_api, course["course_id"], 1)) == 1
