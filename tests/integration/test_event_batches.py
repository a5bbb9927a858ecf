"""Ward events applied many per transaction answer and store exactly what one-by-one
delivery would, and one event that cannot be stored does not hold back the rest."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from ivig_workflow.db.statuses import WorkItemStatus
from ivig_workflow.db.tables import InboxRow, WorkItemRow
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import (
    ConcurrentWriters,
    Delivery,
    EventAnswer,
    receive_each,
    receive_event,
    receive_events,
)
from tests.integration.course_driver import RULEBOOK, Ward


def _script(ward: Ward) -> list[tuple[datetime, str | dict[str, Any]]]:
    """A morning's deliveries for one course: days in order, a resend, junk, a refusal."""
    cycle = ward.cycle(("released",))

    def infusion(day: int) -> dict[str, Any]:
        return {
            "type": "infusion.administered",
            "course_id": ward.course_id,
            "key": f"{ward.course_id}:d{day}",
            "occurred_at": ward.local(cycle["planned_dates"][day - 1]).isoformat(),
            "data": {
                "cycle": cycle["number"],
                "day": day,
                "dose_g": cycle["doses_g"][day - 1],
                "product": cycle["product"],
                "lot_numbers": [f"L{day}"],
            },
        }

    last = ward.local(cycle["planned_dates"][-1], 18)
    days = len(cycle["planned_dates"])
    relapse = {
        "type": "relapse.reported",
        "course_id": ward.course_id,
        "key": f"{ward.course_id}:relapse",
        "occurred_at": last.isoformat(),
    }
    weight = {
        "type": "observation.recorded",
        "course_id": ward.course_id,
        "key": f"{ward.course_id}:w",
        "occurred_at": last.isoformat(),
        "data": {"weight_kg": 64},
    }
    unknown = {**weight, "course_id": "no-such-course", "key": f"{ward.course_id}:u"}
    script: list[tuple[datetime, str | dict[str, Any]]] = [(last, infusion(1)), (last, infusion(1))]
    script += [(last, '{"type": "infusion.administered", '), (last, unknown), (last, relapse)]
    script += [(last, infusion(day)) for day in range(2, days + 1)]
    return [*script, (last, weight), (last, infusion(days))]


def _plain(answer: EventAnswer | Exception, ward: Ward) -> dict[str, Any]:
    assert isinstance(answer, EventAnswer), answer
    body = answer.model_dump(mode="json", exclude={"inbox_id"})
    plain: dict[str, Any] = json.loads(json.dumps(body).replace(ward.course_id, "COURSE"))
    return plain


def _view(ward: Ward) -> dict[str, Any]:
    view = json.loads(json.dumps(ward.view()).replace(ward.course_id, "COURSE"))
    for task in view["open_tasks"]:
        del task["id"]  # row ids differ between the two courses' tasks
    return dict(view)


def test_a_batch_stores_and_answers_what_one_by_one_delivery_would(engine: Engine) -> None:
    one_by_one = Ward.start(engine, "dermatomyositis", patient_ref="PSN-0001")
    batched = Ward.start(engine, "dermatomyositis", patient_ref="PSN-0002")
    one_by_one.release()  # the sweep releases both courses' first cycles
    singles = [
        receive_event(raw, engine=engine, rulebook=RULEBOOK, now=at + timedelta(minutes=5))
        for at, raw in _script(one_by_one)
    ]
    script = _script(batched)
    together = receive_events(
        [Delivery(raw) for _, raw in script],
        engine=engine,
        rulebook=RULEBOOK,
        now=script[-1][0] + timedelta(minutes=5),
    )
    assert [_plain(a, batched) for a in together] == [_plain(a, one_by_one) for a in singles]
    statuses = [a.status for a in together]
    assert statuses[:5] == ["applied", "duplicate", "invalid", "unknown_course", "refused"]
    assert statuses[-1] == "duplicate" and together[-1].first_status == "applied"
    assert together[1].inbox_id == together[0].inbox_id
    assert _view(batched) == {**_view(one_by_one), "patient_ref": "PSN-0002"}
    batched.assert_consistent()
    with reading(engine) as session:
        rows = session.scalars(select(InboxRow).order_by(col(InboxRow.id))).all()
    kept = [row.raw for row in rows if row.id in {a.inbox_id for a in together}]
    resends = (script[1][1], script[-1][1])
    sent = [raw for _, raw in script if not any(raw is resend for resend in resends)]
    assert kept == [raw if isinstance(raw, str) else json.dumps(raw) for raw in sent]


def test_an_event_that_cannot_be_stored_does_not_hold_back_the_batch(engine: Engine) -> None:
    first, second = (Ward.start(engine, "dermatomyositis", patient_ref=f"PSN-{n}") for n in (1, 2))
    cycles = [first.release(), second.cycle(("released",))]
    with engine.begin() as connection:
        connection.execute(
            text("CREATE UNIQUE INDEX test_one_kind ON work_items (course_id, kind)")
        )
    with Session(engine) as session:
        session.add(
            WorkItemRow(
                key="conflicting",
                course_id=second.course_id,
                role="physician",
                kind="physician_decision",
                title="placed by the test",
                status=WorkItemStatus.OPEN,
                created_at=Ward.clock(),
            )
        )
        session.commit()
    at = first.local(cycles[0]["planned_dates"][0], 15)
    severe = {
        "type": "adverse_event.reported",
        "key": "ae",
        "occurred_at": at.isoformat(),
        "data": {"severity": "severe", "description": "haemolysis"},
    }
    outcomes = receive_each(
        [
            Delivery({**severe, "course_id": second.course_id}),
            Delivery({**severe, "course_id": first.course_id, "key": "ae-first"}),
        ],
        engine=engine,
        rulebook=RULEBOOK,
        now=at,
    )
    assert isinstance(outcomes[0], ConcurrentWriters)
    assert isinstance(outcomes[1], EventAnswer)
    assert (outcomes[1].status, outcomes[1].state) == ("applied", "on_hold")
    assert second.view()["state"] != "on_hold"
    with reading(engine) as session:
        keys = session.scalars(select(col(InboxRow.key))).all()
    assert list(keys) == ["ae-first"]
