"""The guards of the transition table as data: what each means, what it reads, and
the predicate that must hold when a handler reports a step under it.

Handlers compute the next course; `transitions.decide` then checks every reported
step's guard against the course before and after, so a handler and the table can
never disagree unnoticed. `docs/course-states.md` lists the guards from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules


@dataclass(frozen=True)
class GuardContext:
    before: Course | None  # None: the course is being started
    after: Course
    event: Any  # the ward event; None for the sweep and the start
    at: datetime
    rules: CourseRules

    def data(self, name: str) -> Any:
        return getattr(getattr(self.event, "data", None), name, None)

    @property
    def completed_cycle(self) -> bool:
        before = self.before.cycles_completed if self.before is not None else 0
        return self.after.cycles_completed > before

    @property
    def in_series(self) -> int:
        return self.after.cycles_in_series_completed


@dataclass(frozen=True)
class Guard:
    meaning: str
    reads: str  # the guideline field or config key it depends on; "" when none
    holds: Callable[[GuardContext], bool]


def _always(_: GuardContext) -> bool:
    return True


def _rescheduled(c: GuardContext) -> bool:
    """The named cycle had not begun, and now has the event's days, target and a
    start inside the event's window."""
    number = c.data("cycle")
    before = next((x for x in (c.before.cycles if c.before else ()) if x.number == number), None)
    after = next((x for x in c.after.cycles if x.number == number), None)
    return (
        before is not None
        and after is not None
        and not before.started
        and after.planned_days == c.data("days")
        and after.target == c.data("target")
        and c.data("earliest") <= after.planned_start <= c.data("latest")
    )


def _held_from(state: CourseState) -> Guard:
    return Guard(
        f"the course was {state.value.replace('_', ' ')} when it was put on hold",
        "",
        lambda c: c.before is not None and c.before.state_before_hold == state,
    )


def _continued(state: CourseState) -> Guard:
    return Guard(
        "the physician continues long-term therapy (with a justification), back to "
        f"{state.value.replace('_', ' ')}",
        "",
        lambda c: c.data("decision") == "continue" and c.after.state == state,
    )


GUARDS: dict[str, Guard] = {
    "always": Guard("no condition", "", _always),
    "first_infusion": Guard(
        "the first infusion of the course is recorded",
        "",
        lambda c: c.before is not None and c.before.state == CourseState.INITIATION,
    ),
    "day_recorded": Guard(
        "an infusion day is recorded and its cycle still has days to give",
        "guideline: days per cycle",
        lambda c: not c.completed_cycle,
    ),
    "cycle_completed": Guard(
        "the last day of a cycle is recorded; the next cycle is planned at the interval",
        "guideline: interval (initial, step, maximum weeks)",
        lambda c: c.completed_cycle,
    ),
    "single_cycle_completed": Guard(
        "the one cycle of a single-cycle indication (TEN, Kawasaki) is complete",
        "guideline: single_cycle",
        lambda c: c.completed_cycle and c.rules.indication.single_cycle,
    ),
    "review_cycle_completed": Guard(
        "the cycle of the series after which the response is reviewed is complete",
        "guideline: long_term.review_at_cycle",
        lambda c: c.completed_cycle and c.in_series == c.rules.indication.long_term.review_at_cycle,
    ),
    "washout_cycle_completed": Guard(
        "the cycle of the series after which a washout is tried is complete",
        "guideline: long_term.washout_after_cycle",
        lambda c: (
            c.completed_cycle and c.in_series == c.rules.indication.long_term.washout_after_cycle
        ),
    ),
    "non_response": Guard(
        "the response at the review is none or worse",
        "guideline: efficacy",
        lambda c: c.data("outcome") in ("none", "worse"),
    ),
    "partial": Guard(
        "the response at the review is partial", "", lambda c: c.data("outcome") == "partial"
    ),
    "good": Guard("the response at the review is good", "", lambda c: c.data("outcome") == "good"),
    "worse": Guard(
        "the response during interval extension is worse",
        "",
        lambda c: c.data("outcome") == "worse",
    ),
    "not_worse": Guard(
        "the response during interval extension is not worse",
        "",
        lambda c: c.data("outcome") != "worse",
    ),
    "any_outcome": Guard("a response is recorded outside a review", "", _always),
    "partial_long_term": Guard(
        "the response at the review is partial, and the indication allows long-term use "
        "only in rare or exceptional cases: a physician decides before any further cycle",
        "guideline: long_term (needs_decision)",
        lambda c: c.data("outcome") == "partial" and c.rules.indication.long_term.needs_decision,
    ),
    "good_long_term": Guard(
        "the response at the review is good, and long-term use needs a physician's decision",
        "guideline: long_term (needs_decision)",
        lambda c: c.data("outcome") == "good" and c.rules.indication.long_term.needs_decision,
    ),
    "washout_prompt_cycle_completed": Guard(
        "a continued long-term course has given another run of cycles since its decision: "
        "attempt a washout or justify going on",
        "config/course-policy.yaml: long_term.washout_prompt_every_cycles",
        lambda c: c.completed_cycle and c.after.state == CourseState.LONG_TERM_DECISION,
    ),
    **{
        f"continue_{state.value}": _continued(state)
        for state in (CourseState.ACTIVE, CourseState.INTERVAL_EXTENSION)
    },
    "washout": Guard(
        "the physician attempts a washout", "", lambda c: c.data("decision") == "washout"
    ),
    "stop": Guard(
        "the physician stops long-term therapy", "", lambda c: c.data("decision") == "stop"
    ),
    "retreatment": Guard(
        "Kawasaki disease: fever persists at least the configured hours after the first "
        "infusion ended; one more cycle within the course",
        "config/course-policy.yaml: retreatment (min_hours_after_infusion, max_retreatments)",
        _always,
    ),
    "relapse": Guard("a relapse is reported during washout", "", _always),
    "resume_on_relapse": Guard("a relapse is reported after the course completed", "", _always),
    "severe": Guard("the adverse event is severe", "", lambda c: c.data("severity") == "severe"),
    "mild_or_moderate": Guard(
        "the adverse event is mild or moderate",
        "",
        lambda c: c.data("severity") in ("mild", "moderate"),
    ),
    "by_physician": Guard("a physician's decision, with its reason", "", _always),
    **{f"held_from_{state.value}": _held_from(state) for state in CourseState},
    "cycle_due": Guard(
        "a planned cycle reaches its release instant (planned start minus the lead time)",
        "policy: CourseRules.release_lead_days (7)",
        lambda c: any(cycle.status == "planned" for cycle in (c.before or c.after).cycles),
    ),
    "cycle_overdue": Guard(
        "a released cycle has no infusion by the end of its grace days",
        "policy: CourseRules.overdue_grace_days (2)",
        lambda c: any(cycle.escalated_at is not None for cycle in c.after.cycles),
    ),
    "cycle_held": Guard(
        "a cycle reaches its release instant while the latest eGFR needs a physician's "
        "confirmation first",
        "config/dosing.yaml: renal thresholds (confirm below eGFR)",
        lambda c: any(cycle.release_held_at is not None for cycle in c.after.cycles),
    ),
    "cycle_rescheduled": Guard(
        "the chair scheduler moves a cycle not yet begun to consecutive open days within "
        "its window around the target, never past the maximum interval after day 1 of the "
        "cycle before",
        "guideline: interval (max weeks); config/course-policy.yaml: outpatient_window",
        _rescheduled,
    ),
    "relapse_check_due": Guard(
        "a relapse check during washout falls due",
        "policy: CourseRules.relapse_check_weeks (4)",
        lambda c: (
            c.before is not None
            and c.before.next_relapse_check_at is not None
            and c.before.next_relapse_check_at <= c.at
        ),
    ),
}
