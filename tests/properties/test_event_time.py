"""Event time, not sweep time (issue 11): the same ward events give the same course
whether the sweep ran between them, and whenever it ran, or never.

A random sequence of plausible ward events (the next cycle's days on their dates,
occasionally early or late, responses, observations, holds and resumes, adverse
events, relapses) is decided twice: once with sweeps at random instants between the
events, never later than the next event's instant (the clock only moves forward),
and once with none at all. After a last sweep at the same final instant, both runs
must hold the same course (state, cycles with their status, infusions and dates)
and must have raised the same set of effect keys. Infusions depart from the plan
now and then (deviations, acknowledged later) and some senders' clocks run ahead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.rules import CourseRules
from ivig_workflow.domain.course.transitions import decide, start_course, tick
from tests.unit.course_factories import course_start, local, rules_for, ward_event

START = date(2025, 1, 6)

# What the ward may do next; the infusion moves pick the next day of the open cycle.
MOVES = st.sampled_from(
    ["infuse"] * 8
    + [
        "infuse_early",
        "infuse_late",
        "infuse_other_product",
        "infuse_more",
        "acknowledge",
        "good",
        "partial",
        "worse",
        "observe",
        "hold",
        "resume",
        "mild",
        "relapse",
        "wait",
    ]
)


class Run:
    def __init__(self, rules: CourseRules) -> None:
        self.rules = rules
        self.course: Course = start_course(course_start(START), local(START, 7), rules=rules).course
        self.keys: set[str] = set()

    def sweep(self, at: datetime) -> None:
        decision = tick(self.course, at, rules=self.rules)
        self.course = decision.course
        self.keys |= {e.key for e in decision.effects}

    def send(self, type_: str, at: datetime, key: str, received: datetime, **data: Any) -> str:
        decision = decide(
            self.course, ward_event(type_, at, key, **data), received, rules=self.rules
        )
        self.course = decision.course
        self.keys |= {e.key for e in decision.effects}
        return decision.status


def _event(
    course: Course, move: str, at: datetime, rules: CourseRules
) -> tuple[str, datetime, dict[str, Any]]:
    """The ward event for `move` against the course as it stands (both runs agree)."""
    if move.startswith("infuse"):
        open_ = [c for c in course.cycles if c.status in ("planned", "released", "in_progress")]
        if open_:
            cycle = open_[0]
            day = min(set(range(1, len(cycle.planned_days) + 1)) - cycle.recorded_days)
            on = cycle.planned_days[day - 1]
            if move == "infuse_early" and day == 1:
                on -= timedelta(days=10)
            if move == "infuse_late" and day == 1:
                on += timedelta(days=9)
            at = max(at, local(on, 10))
            dose = cycle.day_doses_g[day - 1] * (1.3 if move == "infuse_more" else 1)
            product = "octagam-10" if move == "infuse_other_product" else "privigen"
            data = {
                "cycle": cycle.number,
                "day": day,
                "dose_g": round(dose, 2),
                "product": product,
                "lot_numbers": ["L1"],
            }
            return "infusion.administered", at, data
        move = "wait"
    match move:
        case "acknowledge":
            waiting = [d for c in course.cycles for d in c.deviations if not d.acknowledged]
            if waiting:
                which = {"cycle": waiting[0].cycle, "kind": waiting[0].kind}
                return "deviation.acknowledged", at, which
            return "observation.recorded", at, {"weight_kg": 71.0}
        case "good" | "partial" | "worse":
            return "response.assessed", at, {"outcome": move}
        case "observe":
            return "observation.recorded", at, {"weight_kg": 72.0}
        case "hold":
            return "course.held", at, {"reason": "infection"}
        case "resume":
            return "course.resumed", at, {}
        case "mild":
            return "adverse_event.reported", at, {"severity": "mild", "description": "headache"}
        case "relapse":
            return "relapse.reported", at, {}
    return "observation.recorded", at + timedelta(days=20), {"weight_kg": 70.0}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), moves=st.lists(MOVES, min_size=1, max_size=60))
def test_the_course_does_not_depend_on_when_sweeps_ran(
    data: st.DataObject, moves: list[str]
) -> None:
    rules = rules_for("dermatomyositis")
    swept, unswept = Run(rules), Run(rules)
    clock = local(START, 7)
    for number, move in enumerate(moves):
        gap_hours = data.draw(st.integers(0, 24 * 10), label="hours before the event")
        type_, at, payload = _event(unswept.course, move, clock + timedelta(hours=gap_hours), rules)
        # Sweeps at random instants between the last event and this one, in order.
        offsets = data.draw(st.lists(st.floats(0, 1), max_size=3), label="sweeps")
        for fraction in sorted(offsets):
            sweep_at = clock + (at - clock) * fraction
            swept.sweep(sweep_at)
        # Negative: the ward's clock runs ahead of ours (beyond 15 min: refused).
        delay = timedelta(minutes=data.draw(st.integers(-30, 90), label="delivery delay"))
        key = f"k-{number}"
        statuses = {run.send(type_, at, key, at + delay, **payload) for run in (swept, unswept)}
        assert len(statuses) == 1, (move, statuses)
        clock = at
    end = clock + timedelta(days=data.draw(st.integers(0, 120), label="days to the end"))
    for run in (swept, unswept):
        run.sweep(end)
    assert swept.course.state == unswept.course.state
    assert swept.course == unswept.course
    assert swept.keys == unswept.keys
