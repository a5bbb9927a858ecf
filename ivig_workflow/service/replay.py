"""Rebuild a stored course from what was recorded, and say whether it matches.

The course row keeps the command that opened it (`start`, `started_at`); the
transition log numbers each decision (`step`). Replaying the distinct steps in
order (a sweep at its instant, an event re-parsed from the inbox's raw text under
its key) must give back the stored course exactly: if it does not, the log or the
inbox lost something, or the code changed meaning since the course ran. The chair
scheduler's `cycle.rescheduled` steps are in the inbox too, under its own keys.
The stored course is rebuilt from its rows (the record); the row's snapshot, a copy
kept for fast loading, must equal it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ivig_workflow.db import course_snapshot
from ivig_workflow.db.course_store import CourseStore
from ivig_workflow.db.tables import CourseRow, InboxRow, TransitionLogRow
from ivig_workflow.domain.course.events import parse_course_event
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.replay import RecordedStep, replay
from ivig_workflow.domain.course.start import CourseStart
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import reading


class LogIncomplete(RuntimeError):
    """A logged step names an event the inbox does not hold: the record has a hole."""


@dataclass(frozen=True)
class Replayed:
    stored: Course
    rebuilt: Course
    steps: int  # decisions replayed after the start
    snapshot: Course | None = None  # the row's snapshot, when it stands for the row

    @property
    def matches(self) -> bool:
        return self.stored == self.rebuilt and self.snapshot in (None, self.stored)

    def differences(self) -> list[str]:
        """The top-level fields that differ, for a readable failure."""
        stored, rebuilt = self.stored.model_dump(), self.rebuilt.model_dump()
        found = [name for name in stored if stored[name] != rebuilt[name]]
        if self.snapshot is not None:
            copy = self.snapshot.model_dump()
            found += [f"snapshot.{name}" for name in stored if stored[name] != copy[name]]
        return found


def replay_course(engine: Engine, course_id: str, *, rulebook: Rulebook) -> Replayed | None:
    with reading(engine) as session:
        row = session.get(CourseRow, course_id)
        if row is None:
            return None
        stored = CourseStore(session, locking=False, snapshots=False).load(course_id)
        assert stored is not None
        snapshot = course_snapshot.load(row.snapshot, course_id, row.version or 0)
        start = CourseStart.model_validate(row.start)
        steps = recorded_steps(session, course_id)
        started_at = row.started_at
    rules = rulebook.rules_for(stored.indication, stored.centre, stored.guideline_version)
    rebuilt = replay(start, started_at, steps, rules=rules)
    return Replayed(
        stored=stored,
        rebuilt=rebuilt,
        steps=len(steps),
        snapshot=None if snapshot is None else snapshot.course,
    )


def recorded_steps(session: Session, course_id: str) -> list[RecordedStep]:
    rows = session.scalars(
        select(TransitionLogRow)
        .where(col(TransitionLogRow.course_id) == course_id)
        .order_by(col(TransitionLogRow.seq))
    ).all()
    firsts: dict[int, TransitionLogRow] = {}
    for log in rows:
        firsts.setdefault(log.step, log)
    keys = [log.event_key for log in firsts.values() if log.event_key is not None]
    inbox = {
        entry.key: entry
        for entry in session.scalars(select(InboxRow).where(col(InboxRow.key).in_(keys)))
    }
    steps: list[RecordedStep] = []
    for log in firsts.values():
        if log.trigger == "start":
            continue  # the course row's `start` command stands for it
        if log.trigger == "tick" and log.event_key is None:  # an event's catch-up has its key
            steps.append(RecordedStep(None, log.at))
            continue
        entry = inbox.get(log.event_key or "")
        if entry is None:
            raise LogIncomplete(f"course {course_id}: step {log.step} names {log.event_key!r}")
        # The sender's name was folded into the actor on receipt; keep it as stored.
        # The scheduler's own steps (`cycle.rescheduled`) are in the inbox as well.
        event = parse_course_event(json.loads(entry.raw)).model_copy(update={"actor": entry.actor})
        steps.append(RecordedStep(event, entry.received_at))
    return steps
