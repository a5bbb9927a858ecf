"""Apply the ward events of one transaction: read once, decide each in order, write once.

The inbox is asked about every key in one statement and the courses are loaded
together; each event is then decided against its course as the events before it
left it, so two events for one course in one batch chain as if sent one by one.
The inbox rows go in as one insert whose returned ids answer the senders.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam
from sqlmodel import select

from ivig_workflow.db.driver_statements import keys_present, table_insert_ids
from ivig_workflow.db.statuses import InboxStatus
from ivig_workflow.db.tables import InboxRow
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.transitions import decide
from ivig_workflow.service.event_answers import (
    AnsweredDeviation,
    AnsweredTransition,
    Arrival,
    EventAnswer,
)
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork

_INBOX: Any = InboxRow.__table__  # type: ignore[attr-defined]
_STORED = select(_INBOX).where(_INBOX.c.key.in_(bindparam("keys", expanding=True)))
_INSERT = table_insert_ids(_INBOX)


def apply_batch(
    uow: UnitOfWork, arrivals: Sequence[Arrival], *, rulebook: Rulebook, now: datetime
) -> list[EventAnswer]:
    keys = list({a.event.key for a in arrivals if a.event is not None})
    connection = uow.connection
    # Which keys were seen before asks the driver; their first outcome, rarely needed, is
    # read through SQLAlchemy (enums and instants as the answer expects them).
    seen = list(keys_present(connection, _INBOX, keys))
    stored = {row.key: row for row in connection.execute(_STORED, {"keys": seen})} if seen else {}
    wanted = list({a.event.course_id for a in arrivals if a.event and a.event.key not in stored})
    courses: dict[str, Course] = {c.course_id: c for c in uow.courses.load_many(wanted)}
    answers: list[EventAnswer] = []
    rows: list[dict[str, Any]] = []
    row_of: dict[int, int] = {}  # answer index -> its inbox row
    first_of: dict[str, int] = {}  # key -> the answer index that took it in this batch
    for arrival in arrivals:
        event = arrival.event
        if event is not None and event.key in stored:
            answers.append(_duplicate_of_stored(stored[event.key]))
            continue
        if event is not None and event.key in first_of:
            first = answers[first_of[event.key]]
            answers.append(_duplicate_of(first))
            row_of[len(answers) - 1] = row_of[first_of[event.key]]
            continue
        row_of[len(answers)] = len(rows)
        course = courses.get(event.course_id) if event is not None else None
        if event is None or course is None:
            answer, row = _unapplied(arrival, now)
            answers.append(answer)
            rows.append(row)
            continue
        rules = rulebook.rules_for(course.indication, course.centre, course.guideline_version)
        decision = decide(course, event, now, rules=rules)
        if decision.status == "applied":
            uow.courses.save(decision, now)
            courses[course.course_id] = decision.course
        else:
            uow.courses.stage_effects(decision.effects, now)
        first_of[event.key] = len(answers)
        rows.append(
            {
                "key": event.key,
                "course_id": course.course_id,
                "type": event.type,
                "raw": arrival.text,
                "received_at": now,
                "status": InboxStatus(decision.status),
                "reason": decision.reason,
                "state_after": decision.course.state,
                "actor": event.actor,
            }
        )
        answers.append(
            EventAnswer(
                status=decision.status,
                key=event.key,
                course_id=course.course_id,
                type=event.type,
                state=decision.course.state.value,
                reason=decision.reason,
                rule=decision.rule,
                transitions=[
                    AnsweredTransition(
                        from_state=t.from_state.value if t.from_state else None,
                        to_state=t.to_state.value,
                        rule=t.rule,
                        citation=t.citation,
                    )
                    for t in decision.transitions
                ],
                deviations=[AnsweredDeviation(**d.answer()) for d in decision.deviations],
            )
        )
    uow.courses.write_pending()  # every course's version check before the inbox takes keys
    ids = _INSERT.insert_ids(connection, rows)
    for index, position in row_of.items():
        answers[index].inbox_id = ids[position]
    return answers


def _unapplied(arrival: Arrival, now: datetime) -> tuple[EventAnswer, dict[str, Any]]:
    event, error = arrival.event, arrival.error
    course_id = event.course_id if event else None
    reason = f"{error.field}: {error.rule}" if error else f"unknown course {course_id!r}"
    status: Literal["invalid", "unknown_course"] = "invalid" if error else "unknown_course"
    row = {
        "key": f"{status}:{uuid.uuid4().hex}",
        "course_id": course_id,
        "type": event.type if event else None,
        "raw": arrival.text,
        "received_at": now,
        "status": InboxStatus.INVALID if error else InboxStatus.REFUSED,
        "reason": reason,
        "state_after": None,
        "actor": arrival.actor,
    }
    answer = EventAnswer(
        status=status,
        key=event.key if event else None,
        course_id=course_id,
        type=event.type if event else None,
        reason=reason,
        errors=[error] if error else [],
    )
    return answer, row


def _duplicate_of_stored(first: Any) -> EventAnswer:  # a Core row of the inbox
    return EventAnswer(
        status="duplicate",
        key=first.key,
        course_id=first.course_id,
        type=first.type,
        state=first.state_after.value if first.state_after else None,
        reason=first.reason,
        first_status=first.status.value,
        inbox_id=first.id,
    )


def _duplicate_of(first: EventAnswer) -> EventAnswer:
    return EventAnswer(
        status="duplicate",
        key=first.key,
        course_id=first.course_id,
        type=first.type,
        state=first.state,
        reason=first.reason,
        first_status=first.status,
    )
