"""Two writers on one course: both land, or one retries cleanly; nothing half-written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, func, select

from ivig_workflow.db.course_store import CourseStore
from ivig_workflow.db.tables import InboxRow
from ivig_workflow.domain.course.events import parse_ward_event
from ivig_workflow.domain.course.transitions import decide
from ivig_workflow.service.unit_of_work import UnitOfWork, reading
from ivig_workflow.service.ward_events import EventAnswer
from tests.integration.course_driver import RULEBOOK, Ward, row_counts


def _together(*senders: Callable[[], EventAnswer]) -> list[EventAnswer]:
    barrier = threading.Barrier(len(senders))
    answers: list[EventAnswer | BaseException] = [RuntimeError("not run")] * len(senders)

    def run(index: int) -> None:
        barrier.wait()
        try:
            answers[index] = senders[index]()
        except BaseException as error:
            answers[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(senders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(answer, EventAnswer) for answer in answers), answers
    return [answer for answer in answers if isinstance(answer, EventAnswer)]


def _one_day(ward: Ward, cycle: dict[str, Any], day: int) -> EventAnswer:
    return ward.give(cycle, [day])[0]


def test_two_infusion_days_recorded_at_once_both_apply(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    for round_ in range(3):
        cycle = ward.release()
        ward.give(cycle, [1])
        answers = _together(partial(_one_day, ward, cycle, 2), partial(_one_day, ward, cycle, 3))
        assert sorted(a.status for a in answers) == ["applied", "applied"]
        view = ward.view()
        assert view["cycles"][round_]["days_given"] == [1, 2, 3]
        assert view["cycles_completed"] == round_ + 1
    ward.assert_consistent()


def test_a_hold_and_an_infusion_at_once_end_in_one_order_or_the_other(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.release()
    ward.give(cycle, [1])
    day = ward.local(cycle["planned_dates"][1], 12)
    answers = _together(
        lambda: ward.give(cycle, [2])[0],
        lambda: ward.send("course.held", {"reason": "infection"}, day),
    )
    held = next(a for a in answers if a.type == "course.held")
    given = next(a for a in answers if a.type == "infusion.administered")
    assert held.status == "applied"
    # Either the day came first (applied, then held) or the hold did (refused).
    assert given.status in ("applied", "refused")
    view = ward.view()
    assert view["state"] == "on_hold"
    assert view["cycles"][0]["days_given"] == ([1, 2] if given.status == "applied" else [1])
    ward.assert_consistent()


def test_the_same_key_delivered_twice_at_once_applies_once(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.release()
    data = {"cycle": 1, "day": 1, "dose_g": 10, "product": cycle["product"], "lot_numbers": ["L"]}
    at = ward.local(cycle["planned_dates"][0])
    answers = _together(
        lambda: ward.send("infusion.administered", data, at, key="same"),
        lambda: ward.send("infusion.administered", data, at, key="same"),
    )
    assert sorted(a.status for a in answers) == ["applied", "duplicate"]
    with reading(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxRow)) == 1
    ward.assert_consistent()


def test_a_stale_version_is_refused_by_the_database(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock up front; only PostgreSQL can go stale")
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.release()
    ward.give(cycle, [1])
    data = {"cycle": 1, "day": 2, "dose_g": 10, "product": "p", "lot_numbers": ["L"]}
    day_2 = ward.local(cycle["planned_dates"][1])
    event = parse_ward_event(
        {
            "type": "infusion.administered",
            "course_id": ward.course_id,
            "key": "stale-day-2",
            "occurred_at": day_2.isoformat(),
            "data": data,
        }
    )
    now = day_2 + timedelta(hours=1)
    with UnitOfWork(engine) as uow:
        # Read without the row lock, as a writer that skipped FOR UPDATE would.
        store = CourseStore(uow.session, locking=False)
        course = store.load(ward.course_id)
        assert course is not None
        rules = RULEBOOK.rules_for(course.indication, course.centre, course.guideline_version)
        decision = decide(course, event, now, rules=rules)
        # Meanwhile another writer records day 3 and commits.
        other = ward.give(cycle, [3])[0]
        assert other.status == "applied"
        counts = row_counts(engine)
        with pytest.raises(StaleDataError):
            store.save(decision, now)
            store.write_pending()
    assert row_counts(engine) == counts
    with reading(engine) as session:
        keys = session.scalars(select(col(InboxRow.key))).all()
    assert "stale-day-2" not in keys
    # The service path retries such a loser: resent, it applies on the fresh course.
    again = ward.send("infusion.administered", data, day_2, key="stale-day-2")
    assert again.status == "applied"
    assert ward.view()["cycles"][0]["days_given"] == [1, 2, 3]
    ward.assert_consistent()
