"""Courses in and out of the database, with their decisions' side rows.

`load` remembers the rows it read so that `save` writes only what changed and the
course row's version counter turns a concurrent write into a `StaleDataError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
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
from ivig_workflow.domain.course import Course
from ivig_workflow.domain.course_start import CourseStart
from ivig_workflow.domain.decision import Decision
from ivig_workflow.service.course_rows import (
    course_from_rows,
    cycle_values,
    infusion_row,
    update_course_row,
)
from ivig_workflow.service.effect_rows import write_effects


class CourseStore:
    def __init__(self, session: Session, *, locking: bool) -> None:
        self.session = session
        self.locking = locking
        self._rows: dict[str, CourseRow] = {}

    def load_many(self, course_ids: Sequence[str]) -> list[Course]:
        if not course_ids:
            return []
        query = (
            select(CourseRow, col(Patient.ref))
            .join(Patient)
            .where(col(CourseRow.id).in_(course_ids))
        )
        if self.locking:
            query = query.with_for_update(of=CourseRow)
        pairs = self.session.execute(query).all()
        cycles = self.session.scalars(
            select(CycleRow).where(col(CycleRow.course_id).in_(course_ids))
        ).all()
        cycle_ids = [cycle.id for cycle in cycles]
        days = self.session.scalars(
            select(InfusionDayRow).where(col(InfusionDayRow.cycle_id).in_(cycle_ids))
        ).all()
        by_course: dict[str, list[CycleRow]] = {}
        for cycle in cycles:
            by_course.setdefault(cycle.course_id, []).append(cycle)
        cycle_ids_of = {c: {row.id for row in rows} for c, rows in by_course.items()}
        courses = []
        for row, patient_ref in pairs:
            self._rows[row.id] = row
            mine = cycle_ids_of.get(row.id, set())
            courses.append(
                course_from_rows(
                    row,
                    patient_ref,
                    by_course.get(row.id, []),
                    [day for day in days if day.cycle_id in mine],
                )
            )
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
        self._rows[row.id] = row
        self.save(decision, now)

    def save(self, decision: Decision, now: datetime) -> None:
        """Write the decided course and its log, work items and notifications."""
        course = decision.course
        row = self._rows[course.course_id]
        update_course_row(row, course, now)
        self.session.flush()  # the version check happens here, before anything else
        existing = {
            cycle.number: cycle
            for cycle in self.session.scalars(
                select(CycleRow).where(col(CycleRow.course_id) == course.course_id)
            )
        }
        for cycle in course.cycles:
            values = cycle_values(cycle)
            stored = existing.get(cycle.number)
            if stored is None:
                existing[cycle.number] = CycleRow.model_validate(
                    {"course_id": course.course_id, "number": cycle.number, **values}
                )
                self.session.add(existing[cycle.number])
            else:
                for name, value in values.items():
                    if getattr(stored, name) != value:
                        setattr(stored, name, value)
        self.session.flush()
        row_ids = {number: row.id for number, row in existing.items()}
        recorded: set[tuple[int, int]] = set(
            self.session.execute(
                select(col(InfusionDayRow.cycle_id), col(InfusionDayRow.day)).where(
                    col(InfusionDayRow.cycle_id).in_(list(row_ids.values()))
                )
            ).all()
        )
        for cycle in course.cycles:
            cycle_id = row_ids[cycle.number]
            assert cycle_id is not None
            for infusion in cycle.infusions:
                if (cycle_id, infusion.day) not in recorded:
                    self.session.add(infusion_row(cycle_id, infusion))
        self._log(decision)
        write_effects(self.session, decision.effects, now)

    def _log(self, decision: Decision) -> None:
        if not decision.transitions:
            return
        course_id = decision.course.course_id
        last_seq, last_step = self.session.execute(
            select(
                func.coalesce(func.max(col(TransitionLogRow.seq)), 0),
                func.coalesce(func.max(col(TransitionLogRow.step)), 0),
            ).where(col(TransitionLogRow.course_id) == course_id)
        ).one()
        for offset, transition in enumerate(decision.transitions, start=1):
            self.session.add(
                TransitionLogRow(
                    course_id=course_id,
                    seq=last_seq + offset,
                    step=last_step + 1,
                    from_state=transition.from_state,
                    to_state=transition.to_state,
                    trigger=transition.trigger,
                    event_key=transition.event_key,
                    at=transition.at,
                    rule=transition.rule,
                    citation=transition.citation,
                    actor=transition.actor,
                )
            )
