"""`GET /v1/bookings` over real HTTP: a centre's chairs between two dates, paged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ivig_workflow.service.scheduling.plan import plan_centre
from tests.api.conftest import LiveApi

MONDAY = date(2026, 1, 12)


def test_bookings_list_pages_through_a_centres_chairs(api: LiveApi) -> None:
    for n in range(4):
        api.start_course(patient_ref=f"PSN-{n:04d}")
    at = datetime(2026, 1, 12, 6, tzinfo=UTC)
    report = plan_centre(api.engine, api.rulebook, "main", now=at, first=MONDAY, weeks=2)
    assert report.bookings > 3
    query = {"centre": "main", "from": "2026-01-12", "to": "2026-01-25"}
    everything = api.client.get("/v1/bookings", params={**query, "limit": 500}).json()
    assert len(everything["items"]) == report.bookings and everything["next"] is None
    first = everything["items"][0]
    assert set(first) == {"course_id", "cycle", "day", "date", "chair", "start", "end"}
    assert [(b["date"], b["chair"], b["start"]) for b in everything["items"]] == sorted(
        (b["date"], b["chair"], b["start"]) for b in everything["items"]
    )
    page = api.client.get("/v1/bookings", params={**query, "limit": 3}).json()
    assert page["items"] == everything["items"][:3] and page["next"]
    following = api.client.get(page["next"]).json()
    assert following["offset"] == 3 and following["items"] == everything["items"][3:6]


def test_bookings_need_a_known_centre_an_order_of_dates_and_a_token(api: LiveApi) -> None:
    query = {"centre": "main", "from": "2026-01-12", "to": "2026-01-25"}
    assert api.anonymous.get("/v1/bookings", params=query).status_code == 401
    unknown = api.client.get("/v1/bookings", params={**query, "centre": "paris"})
    assert unknown.status_code == 404 and "unknown centre" in unknown.text
    backwards = api.client.get("/v1/bookings", params={**query, "to": "2026-01-01"})
    assert backwards.status_code == 422
    missing = api.client.get("/v1/bookings", params={"centre": "main", "to": "2026-01-25"})
    assert missing.status_code == 422
