"""The domain closes a work item once what it asked for is recorded (WorkItemClosed),
on both databases, through the service as the CLI and the API drive it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import col

from ivig_workflow.db.tables import WorkItemRow
from ivig_workflow.service.tasks import close_task
from ivig_workflow.service.unit_of_work import reading
from tests.integration.course_driver import Ward


def _review_task(engine: Engine, course_id: str) -> WorkItemRow:
    with reading(engine) as session:
        return session.scalars(
            select(WorkItemRow).where(
                col(WorkItemRow.course_id) == course_id,
                col(WorkItemRow.kind) == "assess_response",
            )
        ).one()


def _at_review(engine: Engine) -> Ward:
    ward = Ward.start(engine, "dermatomyositis")
    for _ in range(6):
        view = ward.run_cycle()
    assert view["state"] == "response_review"
    assert _review_task(engine, ward.course_id).status.value == "open"
    return ward


def test_the_response_closes_the_review_task(engine: Engine) -> None:
    ward = _at_review(engine)
    answer = ward.send(
        "response.assessed", {"outcome": "partial"}, ward.local(date(2026, 7, 1)), actor="dr-m"
    )
    assert (answer.status, answer.state) == ("applied", "active")
    task = _review_task(engine, ward.course_id)
    assert (task.status.value, task.closed_by) == ("done", "dr-m")
    assert task.close_reason == "response recorded: partial (response.assessed)"
    assert task.closed_at == ward.local(date(2026, 7, 1)).replace(minute=5)
    assert "assess_response" not in {t["kind"] for t in ward.view()["open_tasks"]}
    ward.assert_consistent()


def test_a_task_a_person_closed_first_keeps_their_record(engine: Engine) -> None:
    ward = _at_review(engine)
    task = _review_task(engine, ward.course_id)
    assert task.id is not None
    by_hand = datetime(2026, 6, 30, 9, tzinfo=ZoneInfo("UTC"))
    close_task(
        task.id, outcome="done", by="nurse-k", reason="seen in clinic", engine=engine, now=by_hand
    )
    ward.send("response.assessed", {"outcome": "good"}, ward.local(date(2026, 7, 1)))
    task = _review_task(engine, ward.course_id)
    assert (task.status.value, task.closed_by, task.close_reason, task.closed_at) == (
        "done",
        "nurse-k",
        "seen in clinic",
        by_hand,
    )
