"""A cycle the chair planner moves becomes a step of its course: `cycle.rescheduled`.

`plan_centre` calls `record_moves` inside the transaction that writes the bookings,
for every cycle it placed on other days than the course has, so the course, its
transition log and the bookings move together or not at all. Each move is decided
by the state machine like a ward event (at the plan's `now`, actor `scheduler`) and
kept in the inbox under its own key with its raw JSON, which is what replay reads
back (`service/replay.py`); the course's step notifies the infusion nurses.

A move the course refuses (the cycle began meanwhile, a day the centre is closed,
past the guideline's maximum interval) changes nothing in the course: the refusal
is kept in the inbox with its reason and raised to the operators, and `plan_centre`
gives up that cycle's new bookings and asks the nurses to book it by hand, so no
booking says one date while the course says another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select

from ivig_workflow.db.statuses import InboxStatus
from ivig_workflow.db.tables import InboxRow
from ivig_workflow.domain.course.events import SCHEDULER, CycleRescheduled, RescheduleData
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.transitions import decide
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.report import Moved
from ivig_workflow.service.unit_of_work import UnitOfWork

_INBOX: Table = InboxRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RefusedMove:
    moved: Moved
    reason: str
    rule: str


def rescheduled_event(move: Moved, now: datetime, key: str) -> CycleRescheduled:
    return CycleRescheduled(
        type="cycle.rescheduled",
        course_id=move.course_id,
        key=key,
        occurred_at=now,
        actor=SCHEDULER,
        data=RescheduleData(
            cycle=move.cycle,
            start=move.new_start,
            days=move.new_days,
            target=move.target or move.planned_start,
            earliest=move.earliest,
            latest=move.latest,
            reason=move.reason,
            rule=move.rule,
            citation=move.citation,
        ),
    )


def record_moves(
    uow: UnitOfWork, moved: list[Moved], *, rulebook: Rulebook, now: datetime
) -> list[RefusedMove]:
    """Decide and stage each move as its course's step; the moves the courses refused."""
    if not moved:
        return []
    wanted = sorted({move.course_id for move in moved})
    courses: dict[str, Course] = {c.course_id: c for c in uow.courses.load_many(wanted)}
    keys = _fresh_keys(uow, moved, now)
    refused: list[RefusedMove] = []
    rows: list[dict[str, Any]] = []
    for move, key in zip(moved, keys, strict=True):
        course = courses.get(move.course_id)
        if course is None:  # the planner read it in this transaction: cannot happen
            raise LookupError(f"course {move.course_id} moved by the planner is not stored")
        event = rescheduled_event(move, now, key)
        rules = rulebook.rules_for(course.indication, course.centre, course.guideline_version)
        decision = decide(course, event, now, rules=rules)
        if decision.status == "applied":
            uow.courses.save(decision, now)
            courses[course.course_id] = decision.course
        else:
            uow.courses.stage_effects(decision.effects, now)
            refused.append(RefusedMove(move, decision.reason or "", decision.rule or ""))
        rows.append(
            {
                "key": key,
                "course_id": course.course_id,
                "type": event.type,
                "raw": json.dumps(event.model_dump(mode="json"), sort_keys=True),
                "received_at": now,
                "status": InboxStatus(decision.status),
                "reason": decision.reason,
                "state_after": decision.course.state,
                "actor": SCHEDULER,
            }
        )
    uow.courses.write_pending()  # the courses' version checks before the inbox takes keys
    uow.session.connection().execute(insert(_INBOX), rows)
    return refused


def _fresh_keys(uow: UnitOfWork, moved: list[Moved], now: datetime) -> list[str]:
    """One inbox key per move: the cycle, where it moved from and to, and when. A plan
    run again at the same instant that moves a cycle back and forth gets a suffix."""
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    base = [
        f"scheduler:{m.course_id}:cycle-{m.cycle}:{m.planned_start}-to-{m.new_start}:{stamp}"
        for m in moved
    ]
    keys = list(base)
    for attempt in range(2, 100):
        stored = set(
            uow.session.connection()
            .execute(select(_INBOX.c.key).where(_INBOX.c.key.in_(keys)))
            .scalars()
        )
        if not stored:
            return keys
        keys = [f"{b}:{attempt}" if k in stored else k for b, k in zip(base, keys, strict=True)]
    raise RuntimeError("no fresh inbox key for the scheduler's moves")
