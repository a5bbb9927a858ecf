"""Holding a cycle before release until a physician confirms it.

With severe renal impairment (the latest eGFR below the centre's threshold) a cycle
is not released on its own: at its release instant the sweep holds it and asks a
physician, who confirms with `cycle.release_confirmed` (who and why are recorded);
the next sweep then releases it. The eGFR is read again at each release, so a cycle
planned before the kidneys failed is still held, and one whose eGFR has recovered is
released without a confirmation.
"""

from __future__ import annotations

from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.effects import Effect, Notification, WorkItem, effect_key
from ivig_workflow.domain.course.events import CycleReleaseConfirmed
from ivig_workflow.domain.course.model import Course, Cycle, ReleaseConfirmation
from ivig_workflow.domain.course.rules import CourseRules
from ivig_workflow.domain.dosing.renal_function import needs_confirmation

_POLICY = (
    "severe renal impairment (eGFR below the centre's threshold): a physician confirms "
    "each cycle before release; the guideline asks for a longer administration and the "
    "clinical reference for the lowest practicable rate and renal function before each cycle"
)


def awaiting_confirmation(course: Course, cycle: Cycle, rules: CourseRules) -> bool:
    """The cycle may not be released until a physician confirms it."""
    return cycle.release_confirmation is None and needs_confirmation(
        course.measurements.egfr, rules.renal_confirm_below_egfr
    )


def held_for_confirmation(course: Course, cycle: Cycle, rules: CourseRules) -> bool:
    """Held, and nothing for the sweep to do until a confirmation or a new eGFR."""
    return cycle.release_held_at is not None and awaiting_confirmation(course, cycle, rules)


def hold_effects(course: Course, cycle: Cycle, rules: CourseRules) -> tuple[Effect, ...]:
    cid = course.course_id
    egfr = course.measurements.egfr
    base = effect_key(cid, f"cycle-{cycle.number}", cycle.dates_key, "held")
    data = {
        "cycle": cycle.number,
        "planned_start": cycle.planned_start.isoformat(),
        "egfr": egfr,
        "confirm_below_egfr": rules.renal_confirm_below_egfr,
    }
    title = (
        f"Confirm cycle {cycle.number} of course {cid} before release: eGFR {egfr:g} is "
        f"below {rules.renal_confirm_below_egfr:g}"
    )
    citation = f"ivig-workflow policy: {_POLICY}"
    return (
        WorkItem(
            key=f"{base}:confirm_release",
            course_id=cid,
            role="physician",
            kind="confirm_release",
            title=title,
            due_at=rules.midnight(cycle.planned_start),
            data=data,
            rule="cycle.release_held_renal",
            citation=citation,
        ),
        Notification(
            key=f"{base}:physician",
            course_id=cid,
            role="physician",
            subject=f"Course {cid}: cycle {cycle.number} held for renal function",
            body="Confirm with cycle.release_confirmed (and a reason), or hold the course.",
            data=data,
            rule="cycle.release_held_renal",
            citation=citation,
        ),
    )


def on_release_confirmed(
    course: Course, event: CycleReleaseConfirmed, rules: CourseRules
) -> Outcome | Refusal:
    if event.actor is None:
        return Refusal("a confirmation names the physician who gives it (actor)", "event.actor")
    number = event.data.cycle
    cycle = next((c for c in course.cycles if c.number == number), None)
    if cycle is None or cycle.status != "planned":
        return Refusal(f"cycle {number} is not a cycle waiting for release", "cycle.not_held")
    confirmation = ReleaseConfirmation(
        by=event.actor,
        reason=event.data.reason,
        at=event.occurred_at,
        egfr=course.measurements.egfr,
    )
    course = course.replace_cycle(cycle.model_copy(update={"release_confirmation": confirmation}))
    return Outcome(course, (Step(course.state, "by_physician", course.state),))
