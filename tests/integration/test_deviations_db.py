"""Deviations through the service on SQLite and PostgreSQL (issue 11): an infusion off
the plan is applied, its deviation stored with the cycle, answered, listed by the
course view and raised as work; a physician's acknowledgement closes the work item;
implausible or future-dated facts are refused and kept in the inbox."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.tables import InboxRow, WorkItemRow
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import receive_event
from tests.integration.course_driver import Ward


def _infusion(cycle: dict[str, Any], day: int, **overrides: Any) -> dict[str, Any]:
    return {
        "cycle": cycle["number"],
        "day": day,
        "dose_g": cycle["doses_g"][day - 1],
        "product": cycle["product"],
        "lot_numbers": ["L1"],
        **overrides,
    }


def _work(engine: Engine, course_id: str) -> list[WorkItemRow]:
    with reading(engine) as session:
        query = select(WorkItemRow).where(col(WorkItemRow.kind) == "review_deviation")
        rows = session.scalars(query.where(col(WorkItemRow.course_id) == course_id)).all()
        return sorted(rows, key=lambda row: row.role)


def test_a_dose_off_plan_is_applied_raised_and_acknowledged(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.cycle()
    more = round(cycle["doses_g"][0] * 1.3, 1)
    answer = ward.send(
        "infusion.administered",
        _infusion(cycle, 1, dose_g=more),
        ward.local(cycle["planned_dates"][0]),
    )
    assert answer.status == "applied"
    [raised] = [d.model_dump() for d in answer.deviations]
    assert raised["kind"] == "dose_off_plan" and raised["rule"] == "deviation.dose_off_plan"
    assert "strict adherence" in raised["citation"] and f"{more:g} g" in raised["detail"]
    [listed] = ward.view()["deviations"]
    assert (listed["cycle"], listed["kind"], listed["acknowledged"]) == (1, "dose_off_plan", False)
    assert [(w.role, w.status.value) for w in _work(engine, ward.course_id)] == [
        ("pharmacy", "open"),
        ("physician", "open"),
    ]
    ack = ward.send(
        "deviation.acknowledged",
        {"cycle": 1, "kind": "dose_off_plan", "reason": "new weight 91 kg"},
        ward.local(cycle["planned_dates"][0], 15),
    )
    assert ack.status == "applied"
    [listed] = ward.view()["deviations"]
    assert listed["acknowledged"] and listed["acknowledgement_reason"] == "new weight 91 kg"
    pharmacy, physician = _work(engine, ward.course_id)
    assert physician.status.value == "done"
    assert (physician.close_reason or "").startswith("new weight 91 kg")
    assert pharmacy.status.value == "open"  # the pharmacy's own work stays theirs
    ward.assert_consistent()  # replay rebuilds the deviations and the acknowledgement


def test_the_next_cycle_given_before_its_release_is_applied_as_early(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", date(2026, 1, 12))
    ward.run_cycle()
    second = ward.cycle(("planned",))
    early = date.fromisoformat(second["planned_start"]) - timedelta(days=10)
    answer = ward.send("infusion.administered", _infusion(second, 1), ward.local(early))
    assert answer.status == "applied", answer.reason
    assert [d.kind for d in answer.deviations] == ["early_cycle"]
    view = ward.view()
    assert view["cycles"][1]["status"] == "in_progress"
    assert {"book_chairs", "prepare_product"} <= {t["kind"] for t in view["open_tasks"]}
    ward.assert_consistent()


def test_future_and_implausible_facts_are_refused_and_kept(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    cycle = ward.cycle()
    day_1 = ward.local(cycle["planned_dates"][0])
    future = {
        "type": "infusion.administered",
        "course_id": ward.course_id,
        "key": "fut-1",
        "occurred_at": day_1.isoformat(),
        "data": _infusion(cycle, 1),
    }
    answer = receive_event(
        future, engine=engine, rulebook=ward.rulebook, now=day_1 - timedelta(minutes=16)
    )
    assert (answer.status, answer.rule) == ("refused", "event.in_future")
    huge = ward.send("infusion.administered", _infusion(cycle, 1, dose_g=500), day_1)
    assert (huge.status, huge.rule) == ("refused", "infusion.implausible_dose")
    with reading(engine) as session:
        kept = session.scalars(select(InboxRow).where(col(InboxRow.course_id) == ward.course_id))
        assert {(row.status.value, row.key) for row in kept} == {
            ("refused", "fut-1"),
            ("refused", huge.key),
        }
    assert ward.view()["cycles"][0]["days_given"] == []
