"""The hand-written transition table of the course state machine.

It is the one source of truth: an event the current state has no row for is
refused, every step a handler reports must match a row, and the Mermaid diagram in
the docs is generated from it. `source` names the indication's guideline passage
behind a row (None where the guideline is silent and the rule is workflow policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_workflow.domain.course.model import CourseState


@dataclass(frozen=True)
class Row:
    from_state: CourseState | None  # None: the course does not exist yet
    trigger: str  # an event type, `tick` or `start`
    guard: str
    to_state: CourseState
    rule: str
    # interval | initial_duration | long_term | efficacy | days | dose | retreatment
    source: str | None


INIT, ACT, REV = CourseState.INITIATION, CourseState.ACTIVE, CourseState.RESPONSE_REVIEW
EXT, WASH, HOLD = CourseState.INTERVAL_EXTENSION, CourseState.WASHOUT, CourseState.ON_HOLD
DONE, STOP = CourseState.COMPLETED, CourseState.DISCONTINUED
INF, RESP, RELAPSE = "infusion.administered", "response.assessed", "relapse.reported"
AE, OBS = "adverse_event.reported", "observation.recorded"
HELD, RESUMED = "course.held", "course.resumed"
ENDED, COMPLETED = "course.discontinued", "course.completed"
CONFIRMED = "cycle.release_confirmed"
ACK = "deviation.acknowledged"
RESCHEDULED = "cycle.rescheduled"  # the chair scheduler's step, never a ward's
LTD, DECIDED, FEVER = CourseState.LONG_TERM_DECISION, "long_term.decided", "fever.persisted"

LIVE = (INIT, ACT, REV, EXT, WASH, LTD)  # not on hold, not ended
RELEASING = (INIT, ACT, EXT)  # the states in which cycles are released


def each(
    states: tuple[CourseState, ...],
    trigger: str,
    guard: str,
    to: CourseState | None,
    rule: str,
    source: str | None,
) -> tuple[Row, ...]:
    """One row per state; `to=None` keeps each state where it is (a self-loop)."""
    return tuple(Row(s, trigger, guard, s if to is None else to, rule, source) for s in states)


# fmt: off
TABLE: tuple[Row, ...] = (
    Row(None, "start", "always", INIT, "course.started", "initial_duration"),
    Row(INIT, INF, "first_infusion", ACT, "course.first_infusion", "interval"),
    *each((ACT, EXT), INF, "day_recorded", None, "cycle.day_recorded", "days"),
    Row(ACT, INF, "cycle_completed", ACT, "cycle.next_at_interval", "interval"),
    Row(ACT, INF, "single_cycle_completed", DONE, "course.single_cycle", "long_term"),
    Row(ACT, INF, "review_cycle_completed", REV, "review.at_cycle", "long_term"),
    *each((ACT, EXT), INF, "washout_cycle_completed", WASH, "washout.after_cycle", "long_term"),
    Row(EXT, INF, "cycle_completed", EXT, "interval.extended", "interval"),
    Row(REV, RESP, "non_response", STOP, "review.non_response", "long_term"),
    Row(REV, RESP, "partial", ACT, "review.partial", "interval"),
    Row(REV, RESP, "good", EXT, "review.good", "interval"),
    Row(EXT, RESP, "worse", ACT, "extension.worse", "interval"),
    Row(EXT, RESP, "not_worse", EXT, "response.recorded", "efficacy"),
    Row(ACT, RESP, "any_outcome", ACT, "response.recorded", "efficacy"),
    Row(WASH, RELAPSE, "relapse", ACT, "relapse.new_series", "long_term"),
    Row(DONE, RELAPSE, "resume_on_relapse", ACT, "relapse.new_series", "long_term"),
    *each(LIVE, AE, "severe", HOLD, "adverse_event.severe_hold", None),
    *each((HOLD, DONE, STOP), AE, "severe", None, "adverse_event.recorded", None),
    *each((*LIVE, HOLD, DONE, STOP), AE, "mild_or_moderate", None, "adverse_event.recorded", None),
    *each((*LIVE, HOLD), OBS, "always", None, "measurements.updated", "dose"),
    *each(LIVE, HELD, "by_physician", HOLD, "hold.by_physician", None),
    *(Row(HOLD, RESUMED, f"held_from_{s.value}", s, "hold.resumed", None) for s in LIVE),
    *each((*LIVE, HOLD), ENDED, "by_physician", STOP, "course.discontinued", None),
    *each((ACT, REV, EXT, WASH, LTD, HOLD), COMPLETED, "by_physician", DONE, "course.completed",
          "long_term"),
    *each(RELEASING, "tick", "cycle_due", None, "cycle.released", "interval"),
    *each(RELEASING, "tick", "cycle_overdue", None, "cycle.overdue", "interval"),
    Row(WASH, "tick", "relapse_check_due", WASH, "washout.relapse_check", "long_term"),
    *each(RELEASING, "tick", "cycle_held", None, "cycle.release_held_renal", None),
    *each((*RELEASING, REV, LTD, HOLD), CONFIRMED, "by_physician", None, "cycle.release_confirmed",
          None),
    *each((*LIVE, HOLD, DONE), ACK, "by_physician", None, "deviation.acknowledged", None),
    # Long-term use only in rare or exceptional cases: past the initial duration
    # (the review) and every few cycles after, a physician decides.
    Row(REV, RESP, "partial_long_term", LTD, "long_term.decision_due", "long_term"),
    Row(REV, RESP, "good_long_term", LTD, "long_term.decision_due", "long_term"),
    *each((ACT, EXT), INF, "washout_prompt_cycle_completed", LTD, "long_term.washout_prompt",
          "long_term"),
    Row(LTD, DECIDED, "continue_active", ACT, "long_term.continued", "long_term"),
    Row(LTD, DECIDED, "continue_interval_extension", EXT, "long_term.continued", "long_term"),
    Row(LTD, DECIDED, "washout", WASH, "long_term.washout", "long_term"),
    Row(LTD, DECIDED, "stop", DONE, "long_term.stopped", "long_term"),
    # Kawasaki disease: a second dose when fever persists after the first.
    Row(DONE, FEVER, "retreatment", ACT, "retreatment.second_dose", "retreatment"),
    # The chair scheduler moves a cycle not yet begun, within its window and never
    # past the guideline's maximum interval (handlers/reschedule.py).
    *each(RELEASING, RESCHEDULED, "cycle_rescheduled", None, "cycle.rescheduled", "interval"),
)
# fmt: on
ROWS = {(row.from_state, row.trigger, row.guard): row for row in TABLE}


def allows(state: CourseState, trigger: str) -> bool:
    return any(row.from_state == state and row.trigger == trigger for row in TABLE)
