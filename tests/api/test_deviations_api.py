"""Deviations over HTTP (issue 11): a product switch is applied (201) and answered
with its deviation, listed by GET /v1/courses/{id}; an event dated ahead of the
server's clock beyond the skew allowance is refused (409) with the reason in words."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.conftest import LiveApi, infusion

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_product_switch_is_applied_and_listed(api: LiveApi) -> None:
    course = api.start_course()
    cid, cycle = course["course_id"], course["cycles"][0]
    api.clock.now = datetime(2026, 1, 12, 9, 30, tzinfo=BERLIN)
    event = infusion(cid, "sw-1", 1, 1, cycle["doses_g"][0], "2026-01-12")
    event["data"]["product"] = "gamunex-c" if cycle["product"] != "gamunex-c" else "privigen"
    response = api.client.post("/v1/events", json=event)
    assert response.status_code == 201, response.text
    [deviation] = response.json()["deviations"]
    assert set(deviation) == {"kind", "detail", "rule", "citation"}
    assert deviation["kind"] == "product_switch" and "lowest rate" in deviation["detail"]
    view = api.client.get(f"/v1/courses/{cid}").json()
    [listed] = view["deviations"]
    assert (listed["cycle"], listed["kind"], listed["acknowledged"]) == (1, "product_switch", False)
    assert view["cycles"][0]["lowest_rate_days"] == [2]  # the next day restarts gently
    roles = {t["role"] for t in view["open_tasks"] if t["kind"] == "review_deviation"}
    assert roles == {"physician", "pharmacy"}


def test_an_event_from_a_clock_ahead_is_refused_with_a_reason(api: LiveApi) -> None:
    course = api.start_course()
    cid, cycle = course["course_id"], course["cycles"][0]
    occurred = datetime(2026, 1, 12, 9, 0, tzinfo=BERLIN)
    api.clock.now = occurred - timedelta(minutes=30)
    response = api.client.post(
        "/v1/events", json=infusion(cid, "ahead-1", 1, 1, cycle["doses_g"][0], "2026-01-12")
    )
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["rule"] == "event.in_future" and "clock-skew" in body["reason"]
