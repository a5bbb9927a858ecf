"""Deviations raised to people, and a physician's acknowledgement of them.

Each deviation raises a work item for the physician (and one for the pharmacy, for
doses and products) and a notification, keyed by course, cycle, day and kind, so the
same deviation computed again is the same effect. `deviation.acknowledged` records
who acknowledged a cycle's deviations of one kind and why, and closes the
physician's work items for them.
"""

from __future__ import annotations

from datetime import date, timedelta

from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.deviation import PHARMACY_KINDS, Deviation
from ivig_workflow.domain.course.effects import (
    Effect,
    Notification,
    Role,
    WorkItem,
    close_work_item,
    effect_key,
)
from ivig_workflow.domain.course.events import DeviationAcknowledged
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.rules import CourseRules


def deviation_key(course_id: str, deviation: Deviation, role: str) -> str:
    return effect_key(
        course_id,
        f"cycle-{deviation.cycle}",
        f"day-{deviation.day}",
        "deviation",
        deviation.kind,
        role,
    )


def deviation_effects(
    course: Course, deviations: tuple[Deviation, ...], given_on: date, rules: CourseRules
) -> tuple[Effect, ...]:
    cid = course.course_id
    due = rules.midnight(given_on + timedelta(days=1))  # before the next infusion day
    effects: list[Effect] = []
    for deviation in deviations:
        data = {
            "cycle": deviation.cycle,
            "day": deviation.day,
            "kind": deviation.kind,
            "expected": deviation.expected,
            "actual": deviation.actual,
            "detail": deviation.detail,
            "event_key": deviation.event_key,
        }
        title = (
            f"Review the {deviation.kind.replace('_', ' ')} on day {deviation.day} of cycle "
            f"{deviation.cycle} of course {cid}"
        )
        roles = ("physician", "pharmacy") if deviation.kind in PHARMACY_KINDS else ("physician",)
        for role in roles:
            effects.append(
                WorkItem(
                    key=deviation_key(cid, deviation, role),
                    course_id=cid,
                    role=role,
                    kind="review_deviation",
                    title=title,
                    due_at=due,
                    data=data,
                    rule=deviation.rule,
                    citation=deviation.citation,
                )
            )
        effects.append(
            Notification(
                key=deviation_key(cid, deviation, "notice"),
                course_id=cid,
                role="physician",
                subject=f"Course {cid}: {deviation.kind.replace('_', ' ')} in cycle "
                f"{deviation.cycle}",
                body=deviation.detail,
                data=data,
                rule=deviation.rule,
                citation=deviation.citation,
            )
        )
    return tuple(effects)


def on_acknowledged(
    course: Course, event: DeviationAcknowledged, rules: CourseRules
) -> Outcome | Refusal:
    data = event.data
    cycle = next((c for c in course.cycles if c.number == data.cycle), None)
    waiting = [
        d for d in (cycle.deviations if cycle else ()) if d.kind == data.kind and not d.acknowledged
    ]
    if cycle is None or not waiting:
        return Refusal(
            f"cycle {data.cycle} has no unacknowledged {data.kind} deviation",
            "deviation.acknowledge_open_only",
        )
    by = event.actor or "unknown"
    marked = {
        "acknowledged": True,
        "acknowledged_by": by,
        "acknowledged_at": event.occurred_at,
        "acknowledgement_reason": data.reason,
    }
    deviations = tuple(
        d.model_copy(update=marked) if d.kind == data.kind and not d.acknowledged else d
        for d in cycle.deviations
    )
    course = course.replace_cycle(cycle.model_copy(update={"deviations": deviations}))
    closes = tuple(
        close_work_item(
            deviation_key(course.course_id, d, "physician"),
            course_id=course.course_id,
            role=Role.PHYSICIAN,
            closed_by=by,
            reason=data.reason or f"{d.kind} acknowledged",
            rule="deviation.acknowledged",
            citation=d.citation,
        )
        for d in waiting
    )
    return Outcome(course, (Step(course.state, "by_physician", course.state),), closes)
