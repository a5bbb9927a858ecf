"""Courses in and out of the database, with their decisions' side rows.

`load_many` remembers the rows it read (cycles, recorded days, the log's last
step) so that `save` writes only what changed without reading anything again, and
the course row's version counter turns a concurrent write into a `StaleDataError`.
Side rows are plain inserts; effects skip keys already stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, func
from sqlmodel import Session, col, select

from ivig_workflow.db.tables import (
    CentreRow,
    CourseRow,
    CycleRow,
    InfusionDayRow,
    Patient,
    TransitionLogRow,
)
from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.course import Course, Cycle, InfusionDay
from ivig_workflow.domain.course_start import CourseStart
from ivig_workflow.domain.decision import Decision
from ivig_workflow.domain.effects import Effect
from ivig_workflow.service.course_rows import (
    course_from_rows,
    cycle_values,
    infusion_values,
    update_course_row,
)
from ivig_workflow.service.effect_rows import insert_rows, write_effects

# Built once: constructing a statement costs more than SQLite takes to run it.
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
# Ordered, so that two PostgreSQL writers locking overlapping batches lock in one order.
_COURSES = (
    select(CourseRow, col(Patient.ref))
    .join(Patient)
    .where(col(CourseRow.id).in_(_IDS))
    .order_by(col(CourseRow.id))
)
_CYCLES = select(CycleRow).where(col(CycleRow.course_id).in_(_IDS))
_DAYS = select(InfusionDayRow).where(
    col(InfusionDayRow.cycle_id).in_(bindparam("cycle_ids", expanding=True))
)
_LAST_STEPS = (
    select(
        col(TransitionLogRow.course_id),
        func.max(col(TransitionLogRow.seq)),
        func.max(col(TransitionLogRow.step)),
    )
    .where(col(TransitionLogRow.course_id).in_(_IDS))
    .group_by(col(TransitionLogRow.course_id))
)


@dataclass
class _Loaded:
    """What was read of one course, kept for its save."""

    row: CourseRow
    cycles: dict[int, CycleRow] = field(default_factory=dict)
    recorded: set[tuple[int, int]] = field(default_factory=set)  # (cycle number, day)
    last_seq: int = 0
    last_step: int = 0
    # The cycles as last loaded or saved: an unchanged cycle is not compared row by row.
    written: dict[int, Cycle] = field(default_factory=dict)


class CourseStore:
    def __init__(self, session: Session, *, locking: bool) -> None:
        self.session = session
        self.locking = locking
        self._loaded: dict[str, _Loaded] = {}
        self._days: list[tuple[CycleRow, InfusionDay]] = []
        self._log: list[dict[str, Any]] = []
        self._effects: list[tuple[Effect, datetime]] = []

    def load_many(self, course_ids: Sequence[str]) -> list[Course]:
        if not course_ids:
            return []
        ids = {"ids": list(course_ids)}
        locked = _COURSES.with_for_update(of=CourseRow) if self.locking else _COURSES
        pairs = self.session.execute(locked, ids).all()
        cycles = self.session.scalars(_CYCLES, ids).all()
        number_of = {cycle.id: (cycle.course_id, cycle.number) for cycle in cycles}
        days = self.session.scalars(_DAYS, {"cycle_ids": list(number_of)}).all()
        last = self.session.execute(_LAST_STEPS, ids).all()
        for row, _ in pairs:
            self._loaded[row.id] = _Loaded(row)
        for course_id, seq, step in last:
            self._loaded[course_id].last_seq, self._loaded[course_id].last_step = seq, step
        by_course: dict[str, list[InfusionDayRow]] = {}
        for cycle in cycles:
            self._loaded[cycle.course_id].cycles[cycle.number] = cycle
        for day in days:
            course_id, number = number_of[day.cycle_id]
            self._loaded[course_id].recorded.add((number, day.day))
            by_course.setdefault(course_id, []).append(day)
        courses = [
            course_from_rows(
                row,
                patient_ref,
                list(self._loaded[row.id].cycles.values()),
                by_course.get(row.id, []),
            )
            for row, patient_ref in pairs
        ]
        for course in courses:
            self._loaded[course.course_id].written = {c.number: c for c in course.cycles}
        return courses

    def load(self, course_id: str) -> Course | None:
        found = self.load_many([course_id])
        return found[0] if found else None

    def add(self, decision: Decision, start: CourseStart, centre: Centre, now: datetime) -> None:
        course = decision.course
        patient = self.session.scalar(select(Patient).where(col(Patient.ref) == course.patient_ref))
        if patient is None:
            patient = Patient(ref=course.patient_ref, created_at=now)
            self.session.add(patient)
        if self.session.get(CentreRow, centre.slug) is None:
            self.session.add(
                CentreRow(
                    slug=centre.slug,
                    name=centre.name,
                    time_zone=centre.time_zone,
                    country=centre.country,
                )
            )
        self.session.flush()
        assert patient.id is not None
        row = CourseRow(
            id=course.course_id,
            patient_id=patient.id,
            centre_slug=centre.slug,
            indication=course.indication,
            guideline_version=course.guideline_version,
            state=course.state,
            interval_weeks=course.interval_weeks,
            weight_kg=course.measurements.weight_kg,
            measured_at=course.measurements.measured_at,
            start=start.model_dump(mode="json"),
            started_at=now,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self._loaded[row.id] = _Loaded(row)
        self.save(decision, now)

    def save(self, decision: Decision, now: datetime) -> None:
        """Stage the decided course, its log, work items and notifications.

        Nothing is written until `write_pending` (the unit of work calls it at
        commit), so a sweep batch flushes once, not once per course.
        """
        course = decision.course
        loaded = self._loaded[course.course_id]
        update_course_row(loaded.row, course, now)
        for cycle in course.cycles:
            if loaded.written.get(cycle.number) == cycle:
                continue
            loaded.written[cycle.number] = cycle
            values = cycle_values(cycle)
            stored = loaded.cycles.get(cycle.number)
            if stored is None:
                loaded.cycles[cycle.number] = CycleRow.model_validate(
                    {"course_id": course.course_id, "number": cycle.number, **values}
                )
                self.session.add(loaded.cycles[cycle.number])
            else:
                for name, value in values.items():
                    if getattr(stored, name) != value:
                        setattr(stored, name, value)
            for infusion in cycle.infusions:
                if (cycle.number, infusion.day) not in loaded.recorded:
                    loaded.recorded.add((cycle.number, infusion.day))
                    self._days.append((loaded.cycles[cycle.number], infusion))
        self._stage_log(decision, loaded)
        self._effects.extend((effect, now) for effect in decision.effects)

    def stage_effects(self, effects: Sequence[Effect], now: datetime) -> None:
        """Effects of a decision that changed no course (a refusal raised to operators)."""
        self._effects.extend((effect, now) for effect in effects)

    def write_pending(self) -> None:
        # The flush runs every staged course's version check and gives new cycles
        # their ids; the side rows follow as one insert per table.
        self.session.flush()
        days = []
        for cycle_row, infusion in self._days:
            assert cycle_row.id is not None
            days.append(infusion_values(cycle_row.id, infusion))
        insert_rows(self.session, InfusionDayRow, days)
        insert_rows(self.session, TransitionLogRow, self._log)
        write_effects(self.session, self._effects)
        self._days, self._log, self._effects = [], [], []

    def _stage_log(self, decision: Decision, loaded: _Loaded) -> None:
        if not decision.transitions:
            return
        loaded.last_step += 1
        for transition in decision.transitions:
            loaded.last_seq += 1
            self._log.append(
                {
                    "course_id": decision.course.course_id,
                    "seq": loaded.last_seq,
                    "step": loaded.last_step,
                    "from_state": transition.from_state,
                    "to_state": transition.to_state,
                    "trigger": transition.trigger,
                    "event_key": transition.event_key,
                    "at": transition.at,
                    "rule": transition.rule,
                    "citation": transition.citation,
                    "actor": transition.actor,
                }
            )
