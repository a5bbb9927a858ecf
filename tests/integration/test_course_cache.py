"""A course's history is read once while its version stands, and never served stale."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from ivig_workflow.db.engine import make_engine
from ivig_workflow.service.unit_of_work import UnitOfWork
from tests.integration.course_driver import Ward


def _selects(engine: Engine, course_id: str) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with UnitOfWork(engine) as uow:
            assert uow.courses.load(course_id) is not None
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sum(sql.lstrip().upper().startswith("SELECT") for sql in seen)


def test_an_unchanged_course_is_read_by_its_row_alone(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.release()
    ward.give(cycle, [1])
    # Its id and version, its snapshot, the cycles' row ids: then id and version only.
    assert _selects(engine, ward.course_id) == 1
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        assert _selects(other, ward.course_id) == 3  # a cache of its own, cold
    finally:
        other.dispose()


def test_a_course_changed_elsewhere_is_read_again(engine: Engine) -> None:
    """Two engines on one database, as two processes would be."""
    here = Ward.start(engine, "dermatomyositis")
    cycle = here.release()
    elsewhere_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        elsewhere = Ward(
            engine=elsewhere_engine, course_id=here.course_id, zone=here.zone, sent=100
        )
        assert here.give(cycle, [1])[0].status == "applied"  # cached here at this version
        assert elsewhere.give(cycle, [2])[0].status == "applied"
        day_3 = here.give(cycle, [3])[0]
        assert (day_3.status, day_3.state) == ("applied", "active")
        assert here.view()["cycles"][0]["days_given"] == [1, 2, 3]
        assert here.view()["cycles"][0]["status"] == "completed"
        here.assert_consistent()
    finally:
        elsewhere_engine.dispose()
