"""The long-term decision: past the initial duration, a physician decides.

Blistering diseases: "Long-term therapy with IVIg is recommended only in rare
cases ... Regular washout periods should be attempted." Vasculitis and lupus: only
"in exceptional cases". For these (`LongTerm.needs_decision`) a course whose review
found a response does not run on by itself: it waits in `long_term_decision`, no
cycle is released, and a physician continues (with a justification), attempts a
washout, or stops. After a continuation the decision comes back, with the prompt
to attempt a washout, every `washout_prompt_every_cycles` cycles.
"""

from __future__ import annotations

from datetime import date, timedelta

from ivig_workflow.domain.course.cycle_schedule import plan_next
from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.effects import (
    Effect,
    Notification,
    Role,
    WorkItem,
    close_work_item,
    effect_key,
)
from ivig_workflow.domain.course.events import LongTermDecided
from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def prompt_due(course: Course, rules: CourseRules) -> bool:
    """A continued long-term course has given another `every` cycles since the review."""
    long_term = rules.indication.long_term
    if not long_term.needs_decision or long_term.review_at_cycle is None:
        return False
    since = course.cycles_in_series_completed - long_term.review_at_cycle
    every = rules.policy.long_term.washout_prompt_every_cycles
    return since > 0 and since % every == 0


def await_decision(
    course: Course, rules: CourseRules, today: date, step: Step, back_to: CourseState
) -> Outcome:
    """Stop at the decision; `back_to` is where a continuation resumes."""
    waiting = course.model_copy(
        update={"state": S.LONG_TERM_DECISION, "state_after_decision": back_to}
    )
    return Outcome(waiting, (step,), (_decision_item(waiting, rules, today),))


def on_long_term_decided(
    course: Course, event: LongTermDecided, rules: CourseRules
) -> Outcome | Refusal:
    if not event.actor:
        return Refusal(
            "a long-term decision must name the physician who takes it (actor)",
            "long_term.decided_by",
        )
    data = event.data
    today = rules.local_date(event.occurred_at)
    closed = close_work_item(
        _item_key(course),
        course_id=course.course_id,
        role=Role.PHYSICIAN,
        closed_by=event.actor,
        reason=f"long-term decision recorded: {data.decision}",
        rule=f"long_term.{data.decision}",
        citation=rules.cite("long_term", "long-term decision"),
    )
    effects: list[Effect] = [closed]
    back = course.state_after_decision or S.ACTIVE
    course = course.model_copy(update={"state_after_decision": None})
    if data.decision == "continue":
        course = plan_next(course.model_copy(update={"state": back}), rules, today)
        guard = f"continue_{back.value}"
        step = Step(S.LONG_TERM_DECISION, guard, back)
    elif data.decision == "washout":
        course, told = enter_washout(course, rules, today)
        effects.append(told)
        step = Step(S.LONG_TERM_DECISION, "washout", S.WASHOUT)
    else:
        course = course.model_copy(update={"state": S.COMPLETED})
        step = Step(S.LONG_TERM_DECISION, "stop", S.COMPLETED)
    return Outcome(course, (step,), tuple(effects), reason=data.justification)


def enter_washout(course: Course, rules: CourseRules, today: date) -> tuple[Course, Notification]:
    """Infusions stop; the first relapse check falls a check period from today."""
    first_check = rules.midnight(today + timedelta(weeks=rules.relapse_check_weeks))
    course = course.model_copy(update={"state": S.WASHOUT, "next_relapse_check_at": first_check})
    done = course.cycles_in_series_completed
    told = Notification(
        key=effect_key(course.course_id, f"series-{course.series}", "washout"),
        course_id=course.course_id,
        role=Role.PHYSICIAN,
        subject=f"Course {course.course_id}: washout after cycle {done}",
        body="Infusions stop; relapse checks are scheduled.",
        data={"series": course.series, "first_check_at": first_check.isoformat()},
        rule="washout.after_cycle",
        citation=rules.cite("long_term", "washout after the series"),
    )
    return course, told


def _item_key(course: Course) -> str:
    done = course.cycles_in_series_completed
    return effect_key(
        course.course_id, f"series-{course.series}", f"cycle-{done}", "long_term_decision"
    )


def _decision_item(course: Course, rules: CourseRules, today: date) -> WorkItem:
    long_term = rules.indication.long_term
    done = course.cycles_in_series_completed
    # Due tomorrow, as the review's own task: the next cycle waits on it.
    due = rules.midnight(today + timedelta(days=1))
    return WorkItem(
        key=_item_key(course),
        course_id=course.course_id,
        role=Role.PHYSICIAN,
        kind="long_term_decision",
        title=(
            f"Decide on long-term IVIg for course {course.course_id} after cycle {done}: "
            "continue (with a justification), attempt a washout, or stop"
        ),
        due_at=due,
        data={
            "series": course.series,
            "cycle_in_series": done,
            "policy": long_term.policy,
            "decisions": ["continue", "washout", "stop"],
            "washout_prompt_every_cycles": rules.policy.long_term.washout_prompt_every_cycles,
        },
        rule="long_term.decision_due",
        citation=rules.cite("long_term", "long-term decision"),
    )
