"""Departures of a recorded infusion from the plan, found before it is applied.

Each check compares one fact of the infusion with what the plan expected and, past
the centre's tolerance (`config/deviations.yaml`), records a `Deviation` with the
passage behind the check. None of them refuses the infusion: the ward gave it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from ivig_workflow.domain.course.deviation import Deviation, DeviationKind
from ivig_workflow.domain.course.model import Course, Cycle, InfusionDay
from ivig_workflow.domain.course.rules import CourseRules

# The clinical reference's words, where the guideline is silent.
LOWEST_RATE = "clinical reference: After a change of product, start again at the lowest rate."
OBSERVATION = (
    "clinical reference: Observation: first infusion, a product switch or a long gap: "
    "through the infusion and 1 h after; otherwise at least 20 min."
)


def infusion_deviations(
    course: Course, cycle: Cycle, given: InfusionDay, rules: CourseRules
) -> tuple[Deviation, ...]:
    """`cycle` as it stood before `given` was added to it."""
    found: list[Deviation] = []

    def raise_(kind: DeviationKind, expected: str, actual: str, detail: str, cite: str) -> None:
        found.append(
            Deviation(
                kind=kind,
                cycle=cycle.number,
                day=given.day,
                event_key=given.event_key,
                expected=expected,
                actual=actual,
                detail=detail,
                rule=f"deviation.{kind}",
                citation=cite,
            )
        )

    previous = last_infusion(course)  # a scan of the whole history: once
    _dose(cycle, given, rules, raise_)
    _product(previous, cycle, given, rules, raise_)
    _start(cycle, given, rules, raise_)
    _gap_in_cycle(cycle, given, rules, raise_)
    _long_gap(previous, cycle, given, rules, raise_)
    return tuple(found)


def _dose(cycle: Cycle, given: InfusionDay, rules: CourseRules, raise_: Raise) -> None:
    planned = cycle.day_doses_g[given.day - 1]
    off = (given.dose_g - planned) / planned
    if abs(off) > rules.deviations.dose.tolerance:
        raise_(
            "dose_off_plan",
            f"{planned:g} g",
            f"{given.dose_g:g} g",
            f"day {given.day} of cycle {cycle.number} gave {given.dose_g:g} g where the plan "
            f"says {planned:g} g ({off:+.0%}, tolerance "
            f"{rules.deviations.dose.tolerance:.0%}); check the prescription and the stock",
            rules.cite("dose", "dose per cycle"),
        )


def _product(
    previous: InfusionDay | None,
    cycle: Cycle,
    given: InfusionDay,
    rules: CourseRules,
    raise_: Raise,
) -> None:
    expected = previous.product if previous is not None else cycle.plan.product
    if _same_product(expected, given.product):
        return
    minutes = rules.first_infusion_observation_minutes
    raise_(
        "product_switch",
        expected,
        given.product,
        f"{given.product} given where the patient had {expected}: this infusion and the "
        f"next start again at the lowest rate, observed through the infusion and "
        f"{minutes} min after, as a first infusion",
        LOWEST_RATE,
    )


def _start(cycle: Cycle, given: InfusionDay, rules: CourseRules, raise_: Raise) -> None:
    if cycle.infusions:
        return  # the cycle started already; its first day was judged then
    planned = cycle.planned_days[given.day - 1]
    shift = (given.date - planned).days
    tolerance = rules.deviations.cycle_start
    if -tolerance.early_days <= shift <= tolerance.late_days:
        return
    kind: DeviationKind = "early_cycle" if shift < 0 else "late_cycle"
    words = "earlier" if shift < 0 else "later"
    raise_(
        kind,
        planned.isoformat(),
        given.date.isoformat(),
        f"cycle {cycle.number} started {abs(shift)} day(s) {words} than planned (tolerance "
        f"{tolerance.early_days} early, {tolerance.late_days} late); the following cycles "
        "keep counting from the plan",
        rules.cite("interval", "cycles at the interval"),
    )


def _gap_in_cycle(cycle: Cycle, given: InfusionDay, rules: CourseRules, raise_: Raise) -> None:
    by_day = {infusion.day: infusion for infusion in cycle.infusions}
    before, after = by_day.get(given.day - 1), by_day.get(given.day + 1)
    gaps = []
    if before is not None and given.date > next_day(before.date, rules):
        gaps.append((before, given))
    if after is not None and after.date > next_day(given.date, rules):
        gaps.append((given, after))
    for first, second in gaps:
        raise_(
            "non_consecutive_day",
            f"day {second.day} on {next_day(first.date, rules)}",
            f"day {second.day} on {second.date.isoformat()}",
            f"cycle {cycle.number}: day {first.day} on {first.date.isoformat()} and day "
            f"{second.day} on {second.date.isoformat()} are not consecutive days; the "
            "physician decides whether the cycle restarts",
            rules.cite("days", "consecutive days"),
        )


def _long_gap(
    previous: InfusionDay | None,
    cycle: Cycle,
    given: InfusionDay,
    rules: CourseRules,
    raise_: Raise,
) -> None:
    if previous is None or cycle.infusions:
        return  # a first infusion is planned as one; within a cycle there is no pause
    weeks = rules.deviations.long_gap.weeks
    after_washout = cycle.series > 1 and cycle.number_in_series == 1
    paused = given.date - previous.date > timedelta(weeks=weeks)
    if not (after_washout or paused):
        return
    why = "after washout" if after_washout else f"after more than {weeks} weeks"
    raise_(
        "long_gap",
        f"an infusion within {weeks} weeks",
        f"last IVIg on {previous.date}",
        f"first infusion {why} (last on {previous.date.isoformat()}): observe through the "
        f"infusion and {rules.first_infusion_observation_minutes} min after, as a first "
        "infusion, starting at the lowest rate",
        OBSERVATION,
    )


def restart_after_switch(course: Course, deviations: tuple[Deviation, ...]) -> Course:
    """After a product switch the next infusion day, in this cycle or day 1 of the
    next, starts at the lowest rate with first-infusion observation: on its plan."""
    if not any(deviation.kind == "product_switch" for deviation in deviations):
        return course
    for cycle in course.cycles:
        if cycle.status not in ("planned", "released", "in_progress"):
            continue
        missing = set(range(1, len(cycle.planned_days) + 1)) - cycle.recorded_days
        day = min(missing)
        marked = tuple(sorted({*cycle.plan.lowest_rate_days, day}))
        plan = cycle.plan.model_copy(update={"lowest_rate_days": marked})
        return course.replace_cycle(cycle.model_copy(update={"plan": plan}))
    return course


def last_infusion(course: Course) -> InfusionDay | None:
    """The latest infusion by date (of days on one date, the first recorded)."""
    last: InfusionDay | None = None
    for cycle in course.cycles:
        for infusion in cycle.infusions:
            if last is None or infusion.date > last.date:
                last = infusion
    return last


def next_day(day: date, rules: CourseRules) -> date:
    """The day a consecutive cycle gives next: the following open day of the centre
    (every day for acute inpatient indications)."""
    return rules.cycle_days(day + timedelta(days=1), 1)[0]


def _same_product(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


class Raise(Protocol):  # the signature of `raise_`, for the checks' annotations
    def __call__(
        self, kind: DeviationKind, expected: str, actual: str, detail: str, cite: str
    ) -> None: ...
