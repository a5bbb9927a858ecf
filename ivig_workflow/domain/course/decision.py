"""What the state machine answers: the new course, its effects, and why.

Handlers say what happened as `Outcome` steps (from, guard, to) or as a `Refusal`;
`transitions` checks every step against the table and turns it into a
`Transition` that names its rule and guideline citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from ivig_workflow.domain.course.chair_effect import ChairsChanged
from ivig_workflow.domain.course.deviation import Deviation
from ivig_workflow.domain.course.effects import Effect, Notification, WorkItem, WorkItemClosed
from ivig_workflow.domain.course.model import Course, CourseState


@dataclass(frozen=True)
class Step:
    from_state: CourseState | None
    guard: str
    to_state: CourseState


@dataclass(frozen=True)
class Outcome:
    course: Course
    steps: tuple[Step, ...]
    effects: tuple[Effect, ...] = field(default=())
    # Why, in the physician's words, where a step rests on a decision (a long-term
    # continuation's justification); it goes into the transition log with the actor.
    reason: str | None = None
    deviations: tuple[Deviation, ...] = field(default=())  # raised by this event


@dataclass(frozen=True)
class Refusal:
    reason: str
    rule: str


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_state: CourseState | None
    to_state: CourseState
    trigger: str  # the event type, `tick` or `start`
    guard: str
    rule: str
    citation: str
    event_key: str | None
    at: AwareDatetime
    actor: str | None = None
    reason: str | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    course: Course
    status: Literal["applied", "refused"]
    transitions: tuple[Transition, ...] = ()
    effects: tuple[WorkItem | Notification | WorkItemClosed | ChairsChanged, ...] = ()
    reason: str | None = None
    rule: str | None = None  # the refusal's rule; applied steps name theirs
    deviations: tuple[Deviation, ...] = ()  # departures from the plan this event raised

    @property
    def work_items(self) -> tuple[WorkItem, ...]:
        return tuple(e for e in self.effects if isinstance(e, WorkItem))

    @property
    def notifications(self) -> tuple[Notification, ...]:
        return tuple(e for e in self.effects if isinstance(e, Notification))

    @property
    def closed_work_items(self) -> tuple[WorkItemClosed, ...]:
        return tuple(e for e in self.effects if isinstance(e, WorkItemClosed))

    @property
    def chair_changes(self) -> tuple[ChairsChanged, ...]:
        return tuple(e for e in self.effects if isinstance(e, ChairsChanged))
