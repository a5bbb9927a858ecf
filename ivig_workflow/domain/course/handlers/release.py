"""What releasing a cycle asks of people, and what an overdue cycle raises.

Keys carry the cycle's planned start (and how often the scheduler moved it), so a
cycle moved to new dates (after a hold, or by the chair scheduler, even back to a
date it had) is released again with fresh work items instead of colliding with the
old ones.

Every sweep that releases a cycle builds these, from the course's own typed values:
they are built `trusted` (without validation), each with containers of its own, as
validation would have copied them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ivig_workflow.domain.course.effects import Effect, Notification, Role, WorkItem, effect_key
from ivig_workflow.domain.course.model import Course, Cycle
from ivig_workflow.domain.course.rules import CourseRules
from ivig_workflow.domain.course.trusted import trusted

_LABS = "renal function before each cycle (renal risk of high-dose IVIg)"
_RISK = (
    "clinical reference, renal risk (renal insufficiency, diabetes, age > 65, nephrotoxic "
    "drugs): lowest practicable rate, hydration, renal function before each cycle"
)


def release_effects(course: Course, cycle: Cycle, rules: CourseRules) -> tuple[Effect, ...]:
    cid = course.course_id
    start = cycle.planned_start
    # effect_key(cid, cycle, start, kind) for each kind, with the common part built once.
    prefix = effect_key(cid, f"cycle-{cycle.number}", cycle.dates_key)

    def key(kind: str) -> str:
        return f"{prefix}:{kind}"

    day_before = rules.midnight(start - timedelta(days=1))
    days = [day.isoformat() for day in cycle.planned_days]
    plan = cycle.plan
    number, series = cycle.number, cycle.series

    def common() -> dict[str, Any]:
        return {"cycle": number, "series": series, "days": list(days)}

    return (
        trusted(
            WorkItem,
            key=key("book_chairs"),
            course_id=cid,
            role=Role.INFUSION_NURSE,
            data={**common(), "chair_minutes": list(plan.chair_minutes)},
            rule="cycle.released",
            citation=rules.cite("days", "consecutive days"),
            kind="book_chairs",
            title=f"Book {len(days)} chair day(s) for cycle {number} of course {cid}",
            due_at=day_before,
        ),
        trusted(
            WorkItem,
            key=key("prepare_product"),
            course_id=cid,
            role=Role.PHARMACY,
            data={
                **common(),
                "product": plan.product,
                "total_g": plan.total_g,
                "day_doses_g": list(plan.day_doses_g),
                "day_vials": [
                    {f"{size:g}": count for size, count in vials.items()}
                    for vials in plan.day_vials
                ],
            },
            rule="cycle.released",
            citation=rules.cite("dose", "dose per cycle"),
            kind="prepare_product",
            title=f"Prepare {plan.total_g:g} g {plan.product} for cycle {number} of course {cid}",
            due_at=day_before,
        ),
        pre_infusion_labs(course, cycle, rules, key("pre_infusion_labs"), day_before, common()),
        trusted(
            Notification,
            key=key("released"),
            course_id=cid,
            role=Role.PHYSICIAN,
            data=common(),
            rule="cycle.released",
            citation=rules.cite("interval", "interval"),
            subject=f"Course {cid}: cycle {number} released",
            body=f"Cycle {number} planned on {', '.join(days)}.",
        ),
    )


def pre_infusion_labs(
    course: Course,
    cycle: Cycle,
    rules: CourseRules,
    key: str,
    due_at: datetime,
    common: dict[str, Any],
) -> WorkItem:
    """Renal function before each cycle; with renal risk factors, named, and hydration."""
    cid = course.course_id
    factors = list(cycle.plan.renal_risk_factors)
    if not factors:
        return trusted(
            WorkItem,
            key=key,
            course_id=cid,
            role=Role.INFUSION_NURSE,
            data=common,
            rule="cycle.released",
            citation=rules.cite(None, _LABS),
            kind="pre_infusion_labs",
            title=f"Check renal function before cycle {cycle.number} of course {cid}",
            due_at=due_at,
        )
    return trusted(
        WorkItem,
        key=key,
        course_id=cid,
        role=Role.INFUSION_NURSE,
        data={**common, "renal_risk_factors": factors, "checks": ["renal function", "hydration"]},
        rule="cycle.renal_risk",
        citation=f"ivig-workflow policy: {_RISK}",
        kind="pre_infusion_labs",
        title=f"Renal risk ({', '.join(factors)}): check renal function and hydration "
        f"before cycle {cycle.number} of course {cid}",
        due_at=due_at,
    )


def overdue_effects(course: Course, cycle: Cycle, rules: CourseRules) -> tuple[Effect, ...]:
    cid = course.course_id
    base = effect_key(cid, f"cycle-{cycle.number}", cycle.dates_key, "overdue")
    planned_start = cycle.planned_start.isoformat()

    def data() -> dict[str, Any]:
        return {"cycle": cycle.number, "planned_start": planned_start}

    subject = f"Course {cid}: cycle {cycle.number} overdue, no infusion recorded"
    citation = rules.cite("interval", "cycles at the interval")
    return (
        trusted(
            WorkItem,
            key=f"{base}:escalate_overdue",
            course_id=cid,
            role=Role.OPERATOR,
            data=data(),
            rule="cycle.overdue",
            citation=citation,
            kind="escalate_overdue",
            title=subject,
            due_at=rules.overdue_at(cycle.planned_start),
        ),
        trusted(
            Notification,
            key=f"{base}:physician",
            course_id=cid,
            role=Role.PHYSICIAN,
            data=data(),
            rule="cycle.overdue",
            citation=citation,
            subject=subject,
            body="Confirm whether the cycle was given, moved or should be held.",
        ),
    )
