"""The sweep: release a lead time ahead, raise overdue cycles once, check for
relapse in washout, and never do anything twice at the same `now`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.unit.course_factories import Ward, local

MONDAY = date(2025, 1, 6)
UTC = ZoneInfo("UTC")


def test_a_cycle_is_released_at_local_midnight_a_lead_time_ahead() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    release = datetime(2024, 12, 29, 23, 0, tzinfo=UTC)  # 30 Dec 00:00 in Berlin
    assert ward.course.next_due_at == release
    assert ward.tick(release - timedelta(seconds=1)).effects == ()
    decision = ward.tick(release)
    assert {w.kind for w in decision.work_items} == {
        "book_chairs",
        "prepare_product",
        "pre_infusion_labs",
    }
    roles = {w.kind: w.role for w in decision.work_items}
    assert roles["prepare_product"] == "pharmacy" and roles["book_chairs"] == "infusion_nurse"
    prepare = next(w for w in decision.work_items if w.kind == "prepare_product")
    assert prepare.data["day_vials"] == [{"10": 5}] * 3
    assert ward.course.cycles[0].status == "released"


def test_two_sweeps_at_the_same_now_change_nothing_the_second_time() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    now = local(MONDAY + timedelta(days=10))
    first = ward.tick(now)
    second = ward.tick(now)
    assert first.effects  # released and overdue at once
    assert second.effects == () and second.transitions == ()
    assert second.course == first.course


def test_an_overdue_cycle_is_raised_once_to_operator_and_physician() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    ward.tick(local(MONDAY, 0))
    overdue_at = ward.course.next_due_at
    assert overdue_at == local(MONDAY + timedelta(days=3), 0)
    raised = ward.tick(overdue_at)
    assert [(e.role, type(e).__name__) for e in raised.effects] == [
        ("operator", "WorkItem"),
        ("physician", "Notification"),
    ]
    assert ward.tick(overdue_at + timedelta(days=5)).effects == ()
    assert ward.course.next_due_at is None


@pytest.mark.parametrize("how", ["course.held", "severe"])
def test_nothing_is_released_on_hold(how: str) -> None:
    # Opened a month ahead: since issue 11 no event may predate the course.
    ward = Ward.start("dermatomyositis", MONDAY, opened=local(MONDAY - timedelta(days=30)))
    if how == "course.held":
        ward.send("course.held", local(MONDAY - timedelta(days=20)), reason="infection")
    else:
        ward.send(
            "adverse_event.reported",
            local(MONDAY - timedelta(days=20)),
            severity="severe",
            description="anaphylaxis",
        )
    assert ward.course.state == "on_hold"
    assert ward.course.next_due_at is None
    assert ward.tick(local(MONDAY)).effects == ()
    assert ward.course.cycles[0].status == "planned"


def test_washout_schedules_relapse_checks_every_four_weeks() -> None:
    ward = Ward.start("dermatomyositis", MONDAY)
    for _ in range(6):
        ward.give_cycle()
    ward.send("response.assessed", local(date(2025, 6, 2)), outcome="partial")
    for _ in range(6):
        ward.give_cycle()
    assert ward.course.state == "washout"
    first = ward.course.next_relapse_check_at
    assert first is not None
    late = first + timedelta(weeks=9)  # the sweep was down for two periods
    decision = ward.tick(late)
    # Every check that fell due is raised under its own date (they collapsed into
    # one before issue 11: how many depended on when the sweep ran).
    assert [(w.kind, w.due_at) for w in decision.work_items] == [
        ("assess_relapse", first + timedelta(weeks=weeks)) for weeks in (0, 4, 8)
    ]
    assert ward.course.last_relapse_check_at == first + timedelta(weeks=8)
    assert ward.course.next_relapse_check_at == first + timedelta(weeks=12)
    assert ward.tick(late).effects == ()
    assert ward.course.next_due_at == ward.course.next_relapse_check_at
