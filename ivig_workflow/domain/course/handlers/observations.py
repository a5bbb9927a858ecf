"""New weight, height or renal function: each cycle's dose follows the latest."""

from __future__ import annotations

from ivig_workflow.domain.course.cycle_schedule import replan_doses
from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.events import ObservationRecorded
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.rules import CourseRules


def on_observation(course: Course, event: ObservationRecorded, rules: CourseRules) -> Outcome:
    step = (Step(course.state, "always", course.state),)
    current = course.measurements
    # A late message about an older measurement must not overwrite a newer one.
    if event.occurred_at < current.measured_at:
        return Outcome(course, step)
    data = event.data
    measured = current.model_copy(
        update={
            "weight_kg": data.weight_kg if data.weight_kg is not None else current.weight_kg,
            "height_cm": data.height_cm if data.height_cm is not None else current.height_cm,
            "egfr": data.egfr if data.egfr is not None else current.egfr,
            "measured_at": event.occurred_at,
        }
    )
    course = course.model_copy(update={"measurements": measured})
    return Outcome(replan_doses(course, rules), step)
