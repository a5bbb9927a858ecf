"""Kawasaki disease: a second dose within the course when fever persists.

The guideline gives "Only 1 cycle in Kawasaki's disease and TEN"; the clinical
reference adds: "up to 15 % do not respond; a second 2 g/kg dose is usual when
fever persists 36 h after the first infusion ends." So the course completes after
its cycle as before, and a `fever.persisted` event reopens it for one more cycle
(at most `max_retreatments`, config/course-policy.yaml), planned from the day of
the event on calendar days and released at once: the child is an inpatient.
"""

from __future__ import annotations

from ivig_workflow.domain.course.cycle_schedule import planned_cycle
from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.effects import Notification, effect_key
from ivig_workflow.domain.course.events import FeverPersisted
from ivig_workflow.domain.course.handlers.release import release_effects
from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def on_fever_persisted(
    course: Course, event: FeverPersisted, rules: CourseRules
) -> Outcome | Refusal:
    slug = rules.indication.slug
    policy = rules.policy.retreatment.get(slug)
    if policy is None:
        return Refusal(
            f"{slug} has no retreatment within the course; start a new course",
            "retreatment.indication",
        )
    planned = rules.indication.long_term.cycles_planned or 1
    given = len(course.cycles) - planned
    if given >= policy.max_retreatments:
        return Refusal(
            f"course {course.course_id} was retreated {given} time(s) already; at most "
            f"{policy.max_retreatments} retreatment(s) within a course",
            "retreatment.at_most",
        )
    last = course.last_completed_cycle
    if last is None or not last.infusions:
        return Refusal("no completed cycle to retreat after", "retreatment.after_cycle")
    ended = event.data.infusion_ended_at
    if rules.local_date(ended) < max(day.date for day in last.infusions):
        return Refusal(
            f"data.infusion_ended_at ({ended.isoformat()}) is before the last infusion day "
            f"of cycle {last.number}",
            "retreatment.infusion_ended_at",
        )
    if ended > event.occurred_at:
        return Refusal(
            "data.infusion_ended_at is after the event's occurred_at: fever cannot have "
            "persisted after an infusion that had not ended",
            "retreatment.infusion_ended_at",
        )
    hours = (event.occurred_at - ended).total_seconds() / 3600
    if hours < policy.min_hours_after_infusion:
        return Refusal(
            f"fever {hours:.1f} h after the first infusion ended; a second dose is given "
            f"when fever persists {policy.min_hours_after_infusion:g} h or more after it",
            "retreatment.fever_persisting",
        )
    return _retreat(course, event, rules, hours)


def _retreat(course: Course, event: FeverPersisted, rules: CourseRules, hours: float) -> Outcome:
    course = course.model_copy(update={"state": S.ACTIVE})
    cycle = planned_cycle(course, rules, rules.local_date(event.occurred_at))
    cycle = cycle.model_copy(update={"status": "released", "released_at": event.occurred_at})
    course = course.with_cycle(cycle)
    citation = rules.cite("retreatment", "retreatment")
    told = Notification(
        key=effect_key(course.course_id, f"cycle-{cycle.number}", "retreatment"),
        course_id=course.course_id,
        role="physician",
        subject=f"Course {course.course_id}: retreatment, cycle {cycle.number} released",
        body=(
            f"Fever persisted {hours:.0f} h after the first infusion ended; a second "
            f"dose of {cycle.plan.total_g:g} g is released for {cycle.planned_start}."
        ),
        data={"cycle": cycle.number, "hours_since_infusion": round(hours, 1)},
        rule="retreatment.second_dose",
        citation=citation,
    )
    step = Step(S.COMPLETED, "retreatment", S.ACTIVE)
    return Outcome(course, (step,), (*release_effects(course, cycle, rules), told))
