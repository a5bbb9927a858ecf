"""The hand-written transition table of the course state machine.

It is the one source of truth: an event the current state has no row for is
refused, every step a handler reports must match a row, and the Mermaid diagram in
the docs is generated from it. `source` names the indication's guideline passage
behind a row (None where the guideline is silent and the rule is workflow policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_workflow.domain.course import CourseState


@dataclass(frozen=True)
class Row:
    from_state: CourseState | None  # None: the course does not exist yet
    trigger: str  # an event type, `tick` or `start`
    guard: str
    to_state: CourseState
    rule: str
    source: str | None  # interval | initial_duration | long_term | efficacy | days | dose


INIT, ACT, REV = CourseState.INITIATION, CourseState.ACTIVE, CourseState.RESPONSE_REVIEW
EXT, WASH, HOLD = CourseState.INTERVAL_EXTENSION, CourseState.WASHOUT, CourseState.ON_HOLD
DONE, STOP = CourseState.COMPLETED, CourseState.DISCONTINUED
INF, RESP, RELAPSE = "infusion.administered", "response.assessed", "relapse.reported"
AE, OBS = "adverse_event.reported", "observation.recorded"
HELD, RESUMED = "course.held", "course.resumed"
ENDED, COMPLETED = "course.discontinued", "course.completed"
ACK = "deviation.acknowledged"

# fmt: off
TABLE: tuple[Row, ...] = (
    Row(None, "start", "always", INIT, "course.started", "initial_duration"),
    Row(INIT, INF, "first_infusion", ACT, "course.first_infusion", "interval"),
    Row(ACT, INF, "day_recorded", ACT, "cycle.day_recorded", "days"),
    Row(ACT, INF, "cycle_completed", ACT, "cycle.next_at_interval", "interval"),
    Row(ACT, INF, "single_cycle_completed", DONE, "course.single_cycle", "long_term"),
    Row(ACT, INF, "review_cycle_completed", REV, "review.at_cycle", "long_term"),
    Row(ACT, INF, "washout_cycle_completed", WASH, "washout.after_cycle", "long_term"),
    Row(EXT, INF, "day_recorded", EXT, "cycle.day_recorded", "days"),
    Row(EXT, INF, "cycle_completed", EXT, "interval.extended", "interval"),
    Row(EXT, INF, "washout_cycle_completed", WASH, "washout.after_cycle", "long_term"),
    Row(REV, RESP, "non_response", STOP, "review.non_response", "long_term"),
    Row(REV, RESP, "partial", ACT, "review.partial", "interval"),
    Row(REV, RESP, "good", EXT, "review.good", "interval"),
    Row(EXT, RESP, "worse", ACT, "extension.worse", "interval"),
    Row(EXT, RESP, "not_worse", EXT, "response.recorded", "efficacy"),
    Row(ACT, RESP, "any_outcome", ACT, "response.recorded", "efficacy"),
    Row(WASH, RELAPSE, "relapse", ACT, "relapse.new_series", "long_term"),
    Row(DONE, RELAPSE, "resume_on_relapse", ACT, "relapse.new_series", "long_term"),
    Row(INIT, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    Row(ACT, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    Row(REV, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    Row(EXT, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    Row(WASH, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    Row(HOLD, AE, "severe", HOLD, "adverse_event.recorded", None),
    Row(DONE, AE, "severe", DONE, "adverse_event.recorded", None),
    Row(STOP, AE, "severe", STOP, "adverse_event.recorded", None),
    Row(INIT, AE, "mild_or_moderate", INIT, "adverse_event.recorded", None),
    Row(ACT, AE, "mild_or_moderate", ACT, "adverse_event.recorded", None),
    Row(REV, AE, "mild_or_moderate", REV, "adverse_event.recorded", None),
    Row(EXT, AE, "mild_or_moderate", EXT, "adverse_event.recorded", None),
    Row(WASH, AE, "mild_or_moderate", WASH, "adverse_event.recorded", None),
    Row(HOLD, AE, "mild_or_moderate", HOLD, "adverse_event.recorded", None),
    Row(DONE, AE, "mild_or_moderate", DONE, "adverse_event.recorded", None),
    Row(STOP, AE, "mild_or_moderate", STOP, "adverse_event.recorded", None),
    Row(INIT, OBS, "always", INIT, "measurements.updated", "dose"),
    Row(ACT, OBS, "always", ACT, "measurements.updated", "dose"),
    Row(REV, OBS, "always", REV, "measurements.updated", "dose"),
    Row(EXT, OBS, "always", EXT, "measurements.updated", "dose"),
    Row(WASH, OBS, "always", WASH, "measurements.updated", "dose"),
    Row(HOLD, OBS, "always", HOLD, "measurements.updated", "dose"),
    Row(INIT, HELD, "by_physician", HOLD, "hold.by_physician", None),
    Row(ACT, HELD, "by_physician", HOLD, "hold.by_physician", None),
    Row(REV, HELD, "by_physician", HOLD, "hold.by_physician", None),
    Row(EXT, HELD, "by_physician", HOLD, "hold.by_physician", None),
    Row(WASH, HELD, "by_physician", HOLD, "hold.by_physician", None),
    Row(HOLD, RESUMED, "held_from_initiation", INIT, "hold.resumed", None),
    Row(HOLD, RESUMED, "held_from_active", ACT, "hold.resumed", None),
    Row(HOLD, RESUMED, "held_from_response_review", REV, "hold.resumed", None),
    Row(HOLD, RESUMED, "held_from_interval_extension", EXT, "hold.resumed", None),
    Row(HOLD, RESUMED, "held_from_washout", WASH, "hold.resumed", None),
    Row(INIT, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(ACT, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(REV, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(EXT, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(WASH, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(HOLD, ENDED, "by_physician", STOP, "course.discontinued", None),
    Row(ACT, COMPLETED, "by_physician", DONE, "course.completed", "long_term"),
    Row(REV, COMPLETED, "by_physician", DONE, "course.completed", "long_term"),
    Row(EXT, COMPLETED, "by_physician", DONE, "course.completed", "long_term"),
    Row(WASH, COMPLETED, "by_physician", DONE, "course.completed", "long_term"),
    Row(HOLD, COMPLETED, "by_physician", DONE, "course.completed", "long_term"),
    Row(INIT, "tick", "cycle_due", INIT, "cycle.released", "interval"),
    Row(ACT, "tick", "cycle_due", ACT, "cycle.released", "interval"),
    Row(EXT, "tick", "cycle_due", EXT, "cycle.released", "interval"),
    Row(INIT, "tick", "cycle_overdue", INIT, "cycle.overdue", "interval"),
    Row(ACT, "tick", "cycle_overdue", ACT, "cycle.overdue", "interval"),
    Row(EXT, "tick", "cycle_overdue", EXT, "cycle.overdue", "interval"),
    Row(WASH, "tick", "relapse_check_due", WASH, "washout.relapse_check", "long_term"),
    Row(INIT, ACK, "by_physician", INIT, "deviation.acknowledged", None),
    Row(ACT, ACK, "by_physician", ACT, "deviation.acknowledged", None),
    Row(REV, ACK, "by_physician", REV, "deviation.acknowledged", None),
    Row(EXT, ACK, "by_physician", EXT, "deviation.acknowledged", None),
    Row(WASH, ACK, "by_physician", WASH, "deviation.acknowledged", None),
    Row(HOLD, ACK, "by_physician", HOLD, "deviation.acknowledged", None),
    Row(DONE, ACK, "by_physician", DONE, "deviation.acknowledged", None),
)
# fmt: on
ROWS = {(row.from_state, row.trigger, row.guard): row for row in TABLE}


def allows(state: CourseState, trigger: str) -> bool:
    return any(row.from_state == state and row.trigger == trigger for row in TABLE)
