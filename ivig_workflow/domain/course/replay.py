"""Rebuild a course from its start and its recorded steps (events and sweeps).

The state machine is a pure function of its inputs, so replaying the recorded
steps in order must give back the stored course; a mismatch means the log lost
something or the code changed meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from ivig_workflow.domain.course.events import CourseEvent
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.rules import CourseRules
from ivig_workflow.domain.course.start import CourseStart
from ivig_workflow.domain.course.transitions import decide, start_course, tick


class RecordedStep(NamedTuple):
    event: CourseEvent | None  # None: a sweep; else a ward event or the scheduler's step
    now: datetime


def replay(
    start: CourseStart,
    started_at: datetime,
    steps: Iterable[RecordedStep],
    *,
    rules: CourseRules,
) -> Course:
    course = start_course(start, started_at, rules=rules).course
    for step in steps:
        if step.event is None:
            course = tick(course, step.now, rules=rules).course
        else:
            course = decide(course, step.event, step.now, rules=rules).course
    return course
