"""Starting a course: pinned to this installation's guideline version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.course.decision import Decision
from ivig_workflow.domain.course.model import Course, DoseOptions
from ivig_workflow.domain.course.start import CourseStart
from ivig_workflow.domain.course.transitions import start_course as open_course
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import Egfr, HeightCm, WeightKg
from ivig_workflow.domain.plausible_dates import PlausibleDate
from ivig_workflow.service.course_checks import (
    check_start_window,
    overridden,
    validated_measurements,
)
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork


class StartCourse(BaseModel):
    """What `ivig course start` and `POST /v1/courses` take."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    patient_ref: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)
    indication: str
    start_date: PlausibleDate
    # The plausible ranges at the boundary: a ward learns which field, not a planner error.
    weight_kg: WeightKg
    height_cm: HeightCm | None = None
    egfr: Egfr | None = None
    centre: str | None = None
    dose_options: DoseOptions = DoseOptions()
    course_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{1,36}$")
    actor: str | None = None
    # A physician's reason to depart from the guideline's dose (recorded with the actor).
    override_reason: str | None = Field(default=None, min_length=1, max_length=1000)
    # A course entered after the fact may start outside the configured window.
    backfill: bool = False


def start_course(
    command: StartCourse, *, engine: Engine, rulebook: Rulebook, now: datetime
) -> Course:
    (course,) = start_courses([command], engine=engine, rulebook=rulebook, now=now)
    return course


def start_courses(
    commands: Sequence[StartCourse], *, engine: Engine, rulebook: Rulebook, now: datetime
) -> list[Course]:
    """Open courses in one transaction (a centre enrolling its patients at go-live):
    all of them, or none when one is refused."""
    opened = [_opening(command, rulebook, now) for command in commands]
    ids = [start.course_id for start, _, _ in opened]
    if len(set(ids)) != len(ids):
        raise InputError("course_id", "the same course id is given twice")
    with UnitOfWork(engine) as uow:
        found = uow.courses.load_many(ids)
        if found:
            raise InputError("course_id", f"course {found[0].course_id!r} exists already")
        for start, decision, centre in opened:
            uow.courses.add(decision, start, centre, now)
        uow.commit()
    return [decision.course for _, decision, _ in opened]


def _opening(
    command: StartCourse, rulebook: Rulebook, now: datetime
) -> tuple[CourseStart, Decision, Centre]:
    centre = rulebook.centres.centre(command.centre)
    version = rulebook.guideline.version
    rules = rulebook.rules_for(command.indication, centre.slug, version)
    if not command.backfill:
        check_start_window(command.start_date, rules.local_date(now), rulebook.policy)
    measurements = validated_measurements(command, now)
    options = overridden(command, measurements, rulebook)
    start = CourseStart(
        course_id=command.course_id or str(uuid.uuid4()),
        patient_ref=command.patient_ref,
        centre=centre.slug,
        guideline_version=version,
        measurements=measurements,
        dose_options=options,
        start_date=command.start_date,
        actor=command.actor,
        backfill=command.backfill,
    )
    return start, open_course(start, now, rules=rules), centre
