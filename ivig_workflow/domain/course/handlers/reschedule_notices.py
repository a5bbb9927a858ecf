"""What a cycle moved by the chair scheduler tells people (`cycle.rescheduled`).

The infusion nurses hear of every move, with the old and new dates, the reason, the
window and the scheduler's rule; the pharmacy too when the cycle was released (its
product is prepared for a date). A released cycle's work items for the old dates
are cancelled (the sweep releases it again for the new ones), and a held cycle's
confirmation task is cancelled (it is held again at the new dates if still needed).
Keys count the cycle's moves, so a cycle moved back and forth is told each time.
"""

from __future__ import annotations

from ivig_workflow.domain.course.effects import (
    Effect,
    Notification,
    Role,
    close_work_item,
    effect_key,
)
from ivig_workflow.domain.course.events import CycleRescheduled
from ivig_workflow.domain.course.model import Course, Cycle, CycleStatus
from ivig_workflow.domain.course.rules import CourseRules

_RELEASE_ITEMS = (
    ("book_chairs", Role.INFUSION_NURSE),
    ("prepare_product", Role.PHARMACY),
    ("pre_infusion_labs", Role.INFUSION_NURSE),
)


def move_effects(
    course: Course, old: Cycle, event: CycleRescheduled, rules: CourseRules
) -> tuple[Effect, ...]:
    """The infusion nurses (and, for a released cycle, the pharmacy) hear of the move;
    a released cycle's work items for the old dates are cancelled."""
    data, cid = event.data, course.course_id
    old_days = ", ".join(day.isoformat() for day in old.planned_days)
    new_days = ", ".join(day.isoformat() for day in data.days)
    citation = rules.cite("interval", "cycle.rescheduled")
    facts = {
        "cycle": data.cycle,
        "from_days": [day.isoformat() for day in old.planned_days],
        "days": [day.isoformat() for day in data.days],
        "target": data.target.isoformat(),
        "earliest": data.earliest.isoformat(),
        "latest": data.latest.isoformat(),
        "reason": data.reason,
        "scheduler_rule": data.rule,
    }
    roles = [Role.INFUSION_NURSE]
    if old.status == CycleStatus.RELEASED:
        roles.append(Role.PHARMACY)
    effects: list[Effect] = [
        Notification(
            key=effect_key(cid, f"cycle-{data.cycle}", f"move-{old.moves + 1}", role),
            course_id=cid,
            role=role,
            subject=f"Course {cid}: cycle {data.cycle} moved to {data.start.isoformat()}",
            body=(
                f"Cycle {data.cycle} moves from {old_days} to {new_days}: {data.reason}. "
                f"Window {data.earliest}..{data.latest} around its target {data.target} "
                f"(rule {data.rule})."
            ),
            data=facts,
            rule="cycle.rescheduled",
            citation=citation,
        )
        for role in roles
    ]
    if old.release_held_at is not None:  # held again at the new dates if still needed
        effects.append(
            close_work_item(
                effect_key(cid, f"cycle-{old.number}", old.dates_key, "held", "confirm_release"),
                course_id=cid,
                role=Role.PHYSICIAN,
                closed_by=event.actor,
                reason=f"cycle {data.cycle} moved to {new_days}",
                rule="cycle.rescheduled",
                citation=citation,
                outcome="cancelled",
            )
        )
    if old.status == CycleStatus.RELEASED:
        prefix = effect_key(cid, f"cycle-{old.number}", old.dates_key)
        effects += [
            close_work_item(
                f"{prefix}:{kind}",
                course_id=cid,
                role=role,
                closed_by=event.actor,
                reason=f"cycle {data.cycle} moved to {new_days}; released again for them",
                rule="cycle.rescheduled",
                citation=citation,
                outcome="cancelled",
            )
            for kind, role in _RELEASE_ITEMS
        ]
    return tuple(effects)
