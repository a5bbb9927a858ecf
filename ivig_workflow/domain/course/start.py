"""Starting a course: pinned to its guideline version, cycle 1 on the start date."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow.domain.course.cycle_schedule import planned_cycle
from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.model import Course, CourseState, DoseOptions, Measurements
from ivig_workflow.domain.course.rules import CourseRules


class CourseStart(BaseModel):
    """The command that opens a course; kept so that a course can be replayed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    course_id: str = Field(min_length=1)
    patient_ref: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    centre: str = Field(min_length=1)
    guideline_version: str = Field(min_length=1)
    measurements: Measurements
    dose_options: DoseOptions = DoseOptions()
    start_date: date
    actor: str | None = None
    # Entered after the fact: the start date may lie outside the configured window.
    backfill: bool = False


def open_course(start: CourseStart, rules: CourseRules) -> Outcome:
    course = Course(
        course_id=start.course_id,
        patient_ref=start.patient_ref,
        centre=start.centre,
        indication=rules.indication.slug,
        guideline_version=start.guideline_version,
        interval_weeks=rules.indication.interval.initial_weeks,
        measurements=start.measurements,
        dose_options=start.dose_options,
        start_date=start.start_date,
    )
    course = course.with_cycle(planned_cycle(course, rules, start.start_date))
    return Outcome(course, (Step(None, "always", CourseState.INITIATION),))
