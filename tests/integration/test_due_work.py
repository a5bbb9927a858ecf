"""The clock's probes: nothing due means no flow run; something due means one."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from ivig_workflow.service.due_work import courses_due, notifications_due
from tests.integration.course_driver import Ward


def test_an_empty_database_has_nothing_due(engine: Engine) -> None:
    now = Ward.clock()
    assert not courses_due(engine, now)
    assert not notifications_due(engine, now)


def test_a_cycle_due_for_release_is_found_for_its_centre_only(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", date(2026, 1, 12))
    release = ward.local(date(2026, 1, 5), hour=0)  # the 7-day lead time
    assert not courses_due(engine, release - timedelta(hours=2))
    assert courses_due(engine, release + timedelta(hours=1))
    assert courses_due(engine, release + timedelta(hours=1), centre="main")
    assert not courses_due(engine, release + timedelta(hours=1), centre="london")
    ward.tick(release + timedelta(hours=1))
    assert not courses_due(engine, release + timedelta(hours=1))


def test_notifications_are_due_until_delivered(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", date(2026, 1, 12))
    at = ward.local(date(2026, 1, 6))
    ward.tick(at)
    answer = ward.send(
        "adverse_event.reported", {"severity": "moderate", "description": "rash"}, at
    )
    assert answer.status == "applied"
    assert notifications_due(engine, at + timedelta(minutes=10))
    assert not notifications_due(engine, at - timedelta(days=30))
