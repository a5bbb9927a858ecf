"""Infusion days and what completing a cycle sets off.

A cycle completes when every planned day is recorded, in any order. What follows
depends on where the cycle stands in its series: the end of a single-cycle course,
the response review, the washout, or simply the next cycle at the interval.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from ivig_workflow.domain.course.cycle_schedule import pending, plan_next
from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.deviations import infusion_deviations, restart_after_switch
from ivig_workflow.domain.course.effects import Effect, WorkItem
from ivig_workflow.domain.course.events import InfusionAdministered, InfusionData
from ivig_workflow.domain.course.handlers.deviation_review import deviation_effects
from ivig_workflow.domain.course.handlers.long_term import await_decision, enter_washout, prompt_due
from ivig_workflow.domain.course.handlers.release import release_effects
from ivig_workflow.domain.course.handlers.review import assess_response_key
from ivig_workflow.domain.course.model import Course, CourseState, Cycle, InfusionDay
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def on_infusion(
    course: Course, event: InfusionAdministered, rules: CourseRules
) -> Outcome | Refusal:
    data = event.data
    effects: list[Effect] = []
    cycle = course.current_cycle
    waiting = pending(course) if cycle is None else None
    if waiting is not None and waiting.number == data.cycle:
        # The next cycle given before its release (early): the fact is applied, the
        # cycle released now with its work items, and the early start raised below.
        cycle = waiting.model_copy(update={"status": "released", "released_at": event.occurred_at})
        course = course.replace_cycle(cycle)
        effects.extend(release_effects(course, cycle, rules))
    if cycle is None or cycle.number != data.cycle:
        current = "none is released" if cycle is None else f"the current one is {cycle.number}"
        return Refusal(
            f"cycle {data.cycle} is not the current released cycle ({current})",
            "infusion.current_cycle_only",
        )
    if data.day > len(cycle.planned_days):
        return Refusal(
            f"day {data.day} is outside the {len(cycle.planned_days)}-day plan of cycle "
            f"{cycle.number}",
            "infusion.day_in_plan",
        )
    if data.day in cycle.recorded_days:
        return Refusal(
            f"day {data.day} of cycle {cycle.number} is already recorded",
            "infusion.day_recorded_once",
        )
    implausible = _implausible_dose(course, cycle, data, rules)
    if implausible is not None:
        return implausible
    given = InfusionDay(
        day=data.day,
        date=rules.local_date(event.occurred_at),
        dose_g=data.dose_g,
        product=data.product,
        lot_numbers=data.lot_numbers,
        event_key=event.key,
    )
    deviations = infusion_deviations(course, cycle, given, rules)
    effects.extend(deviation_effects(course, deviations, given.date, rules))
    infusions = tuple(sorted((*cycle.infusions, given), key=lambda infusion: infusion.day))
    every_day = set(range(1, len(cycle.planned_days) + 1))
    complete = {infusion.day for infusion in infusions} == every_day
    cycle = cycle.model_copy(
        update={
            "infusions": infusions,
            "status": "completed" if complete else "in_progress",
            "deviations": (*cycle.deviations, *deviations),
        }
    )
    steps: list[Step] = []
    state = course.state
    if state == S.INITIATION:
        steps.append(Step(S.INITIATION, "first_infusion", S.ACTIVE))
        state = S.ACTIVE
    # One copy of the course per event: its cycle, state and counts together.
    update: dict[str, Any] = {"cycles": _replaced(course.cycles, cycle), "state": state}
    if not complete:
        if not steps:
            steps.append(Step(state, "day_recorded", state))
        course = restart_after_switch(course.model_copy(update=update), deviations)
        return Outcome(course, tuple(steps), tuple(effects), deviations=deviations)
    update["cycles_completed"] = course.cycles_completed + 1
    update["cycles_in_series_completed"] = course.cycles_in_series_completed + 1
    course = course.model_copy(update=update)
    completed = _cycle_completed(course, event, rules, steps)
    return replace(
        completed,
        course=restart_after_switch(completed.course, deviations),
        effects=(*effects, *completed.effects),
        deviations=deviations,
    )


def _replaced(cycles: tuple[Cycle, ...], cycle: Cycle) -> tuple[Cycle, ...]:
    return tuple(cycle if c.number == cycle.number else c for c in cycles)


def _implausible_dose(
    course: Course, cycle: Cycle, data: InfusionData, rules: CourseRules
) -> Refusal | None:
    """A dose no ward meant: refused, so that it is corrected at the source."""
    planned = cycle.day_doses_g[data.day - 1]
    factor = rules.deviations.dose.implausible_factor
    if data.dose_g > factor * planned:
        return Refusal(
            f"dose_g {data.dose_g:g} g is over {factor:g} times the {planned:g} g planned "
            f"for day {data.day} of cycle {cycle.number}; correct it at the source",
            "infusion.implausible_dose",
        )
    dose = rules.indication.dose
    # The latest weight bounds the guideline's maximum; a plan made from an older,
    # heavier weight is never refused for its own grams, and days within the dose
    # tolerance (vial rounding, a day's grams as given) never add up to a refusal.
    limit = max(dose.max_g_per_kg * course.measurements.weight_kg, cycle.plan.total_g)
    limit *= 1 + rules.deviations.dose.tolerance
    total = sum(infusion.dose_g for infusion in cycle.infusions) + data.dose_g
    if total > limit:
        return Refusal(
            f"cycle {cycle.number} would total {total:g} g, over the guideline's maximum of "
            f"{dose.max_g_per_kg:g} g/kg for {course.measurements.weight_kg:g} kg "
            f"({limit:.1f} g with the dose tolerance); correct it at the source",
            "infusion.implausible_dose",
        )
    return None


def _cycle_completed(
    course: Course, event: InfusionAdministered, rules: CourseRules, steps: list[Step]
) -> Outcome:
    long_term = rules.indication.long_term
    done = course.cycles_in_series_completed
    state = course.state
    today = rules.local_date(event.occurred_at)
    effects: list[Effect] = []
    if rules.indication.single_cycle:
        steps.append(Step(state, "single_cycle_completed", S.COMPLETED))
        course = course.model_copy(update={"state": S.COMPLETED})
    elif long_term.washout_after_cycle == done:
        steps.append(Step(state, "washout_cycle_completed", S.WASHOUT))
        course, told = enter_washout(course, rules, today)
        effects.append(told)
    elif long_term.review_at_cycle == done and state == S.ACTIVE:
        steps.append(Step(state, "review_cycle_completed", S.RESPONSE_REVIEW))
        course = course.model_copy(update={"state": S.RESPONSE_REVIEW})
        effects.append(_assess_response(course, rules, today))
    else:
        if state == S.INTERVAL_EXTENSION:
            interval = rules.indication.interval
            longer = min(course.interval_weeks + interval.step_weeks, interval.max_weeks)
            course = course.model_copy(update={"interval_weeks": longer})
        if prompt_due(course, rules):
            # A continued long-term course comes back to the physician: attempt a
            # washout, or justify going on.
            step = Step(state, "washout_prompt_cycle_completed", S.LONG_TERM_DECISION)
            waiting = await_decision(course, rules, today, step, back_to=state)
            return Outcome(waiting.course, (*steps, step), (*effects, *waiting.effects))
        steps.append(Step(state, "cycle_completed", state))
        course = plan_next(course, rules, today)
    return Outcome(course, tuple(steps), tuple(effects))


def _assess_response(course: Course, rules: CourseRules, today: date) -> WorkItem:
    efficacy = rules.indication.efficacy
    done = course.cycles_in_series_completed
    return WorkItem(
        key=assess_response_key(course),
        course_id=course.course_id,
        role="physician",
        kind="assess_response",
        title=f"Assess the response of course {course.course_id} after cycle {done}",
        due_at=rules.midnight(today + timedelta(days=1)),
        data={
            "series": course.series,
            "cycle_in_series": done,
            "measures": list(efficacy.measures),
            "not_measures": list(efficacy.not_measures),
        },
        rule="review.at_cycle",
        citation=rules.cite("long_term", "review after the initial cycles"),
    )
