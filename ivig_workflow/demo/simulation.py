"""Months of a centre's life on an injected clock: sweeps, infusions, assessments.

Every change goes through the real services (`start_course`, `receive_event`,
`sweep_due`), so the demo database holds exactly what a real one would: the
transition log, work items and the notification outbox. The ward is diligent but
not perfect: now and then a day is given late or a response is only partial.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.views import course_view
from ivig_workflow.service.ward_events import receive_event

OUTCOMES = ("good", "good", "partial", "none")


@dataclass
class DemoReport:
    started: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    events: int = 0
    sweeps: int = 0
    days: int = 0


def simulate(
    cohort: list[StartCourse],
    *,
    engine: Engine,
    rulebook: Rulebook,
    until: date,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Run the ward from the first start to the day before `until`, a day at a time."""
    chance = random.Random(seed)
    report = DemoReport()
    first = min(start.start_date for start in cohort) - timedelta(days=7)
    pending = sorted(cohort, key=lambda start: start.start_date)
    total = (until - first).days
    for offset in range(total):
        day = first + timedelta(days=offset)
        morning = datetime.combine(day, time(6, 0), tzinfo=UTC)
        while pending and pending[0].start_date - timedelta(days=7) <= day:
            start = pending.pop(0)
            try:
                course = start_course(start, engine=engine, rulebook=rulebook, now=morning)
            except InputError as error:
                report.refused.append(f"{start.patient_ref}: {error}")
                continue
            report.started.append(course.course_id)
        sweep_due(morning, engine=engine, rulebook=rulebook)
        report.sweeps += 1
        for course_id in report.started:
            report.events += _ward_day(course_id, day, chance, engine=engine, rulebook=rulebook)
        report.days += 1
        if progress is not None:
            progress(offset + 1, total)
    return report


def _ward_day(
    course_id: str, day: date, chance: random.Random, *, engine: Engine, rulebook: Rulebook
) -> int:
    view = course_view(engine, course_id)
    if view is None or view["state"] in ("completed", "discontinued", "on_hold"):
        return 0
    sent = 0
    at = datetime.combine(day, time(10, 0), tzinfo=UTC)
    if view["state"] == "response_review":
        outcome = chance.choice(OUTCOMES)
        return _send(
            course_id,
            "response.assessed",
            f"review-{view['series']}",
            at,
            {"outcome": outcome, "measures": {}},
            engine,
            rulebook,
        )
    if view["state"] == "long_term_decision":
        # The demo's physicians go on: long-term use needs their justification.
        return _send(
            course_id,
            "long_term.decided",
            f"long-term-{view['cycles_completed']}",
            at,
            {"decision": "continue", "justification": "demo: relapses without IVIg"},
            engine,
            rulebook,
        )
    for cycle in view["cycles"]:
        if cycle["status"] not in ("released", "in_progress"):
            continue
        for number, planned in enumerate(cycle["planned_dates"], 1):
            if planned != day.isoformat() or number in cycle["days_given"]:
                continue
            if chance.random() < 0.03:
                continue  # a missed day: the sweep will raise it as overdue
            data: dict[str, Any] = {
                "cycle": cycle["number"],
                "day": number,
                "dose_g": cycle["doses_g"][number - 1],
                "product": cycle["product"],
                "lot_numbers": [f"LOT-{chance.randrange(10000, 99999)}"],
            }
            sent += _send(
                course_id,
                "infusion.administered",
                f"c{cycle['number']}-d{number}",
                at,
                data,
                engine,
                rulebook,
            )
    return sent


def _send(
    course_id: str,
    kind: str,
    suffix: str,
    at: datetime,
    data: dict[str, Any],
    engine: Engine,
    rulebook: Rulebook,
) -> int:
    event = {
        "type": kind,
        "course_id": course_id,
        "key": f"demo-{course_id}-{suffix}",
        "occurred_at": at.isoformat(),
        "data": data,
    }
    receive_event(event, engine=engine, rulebook=rulebook, now=at, sender="demo")
    return 1
