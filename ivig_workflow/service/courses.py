"""Starting a course: pinned to this installation's guideline version."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from ivig_workflow.domain.course import Course, DoseOptions, Measurements
from ivig_workflow.domain.course_start import CourseStart
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.transitions import start_course as open_course
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork


class StartCourse(BaseModel):
    """What `ivig course start` and `POST /v1/courses` take."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_ref: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)
    indication: str
    start_date: date
    weight_kg: float
    height_cm: float | None = None
    egfr: float | None = None
    centre: str | None = None
    dose_options: DoseOptions = DoseOptions()
    course_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{1,36}$")
    actor: str | None = None


def start_course(
    command: StartCourse, *, engine: Engine, rulebook: Rulebook, now: datetime
) -> Course:
    centre = rulebook.centres.centre(command.centre)
    version = rulebook.guideline.version
    rules = rulebook.rules_for(command.indication, centre.slug, version)
    try:
        measurements = Measurements(
            weight_kg=command.weight_kg,
            height_cm=command.height_cm,
            egfr=command.egfr,
            measured_at=now,
        )
    except ValueError as error:
        raise InputError("weight_kg", str(error).splitlines()[-1].strip()) from None
    start = CourseStart(
        course_id=command.course_id or str(uuid.uuid4()),
        patient_ref=command.patient_ref,
        centre=centre.slug,
        guideline_version=version,
        measurements=measurements,
        dose_options=command.dose_options,
        start_date=command.start_date,
        actor=command.actor,
    )
    decision = open_course(start, now, rules=rules)
    with UnitOfWork(engine) as uow:
        if uow.courses.load(start.course_id) is not None:
            raise InputError("course_id", f"course {start.course_id!r} exists already")
        uow.courses.add(decision, start, centre, now)
        uow.commit()
    return decision.course
