"""What a ward system is told about one event, and with which HTTP status.

An applied event names the transitions it caused with their guideline passages; a
refused one names its rule and the passage behind the state that refused it (the last
transition into that state), so the ward can see why without asking us.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.tables import TransitionLogRow
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import EventAnswer

HTTP_STATUS = {
    "applied": 201,
    "duplicate": 200,
    "refused": 409,
    "invalid": 422,
    "unknown_course": 404,
}


def answer_json(answer: EventAnswer, engine: Engine) -> dict[str, Any]:
    body = answer.model_dump(mode="json", exclude={"transitions"})
    if answer.status == "applied":
        body["transitions"] = [
            {"from": t.from_state, "to": t.to_state, "rule": t.rule, "citation": t.citation}
            for t in answer.transitions
        ]
    if answer.course_id is None or answer.status != "refused":
        return body
    with reading(engine) as session:
        last = session.scalars(
            select(TransitionLogRow)
            .where(col(TransitionLogRow.course_id) == answer.course_id)
            .order_by(col(TransitionLogRow.seq).desc())
            .limit(1)
        ).first()
    body["state_rule"] = last.rule if last else None
    body["citation"] = last.citation if last else None
    return body


def http_status(answer: EventAnswer) -> int:
    return HTTP_STATUS[answer.status]
