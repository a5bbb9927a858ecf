"""A patient's course of IVIg: the aggregate the state machine moves.

Everything here is plain frozen data. The state machine (`transitions.decide`)
returns a new `Course`; nothing mutates one in place, so a refused event can hand
back the very same object and a replay can compare courses with `==`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ivig_workflow.domain.course.deviation import Deviation
from ivig_workflow.domain.measures import Egfr, HeightCm, WeightKg


class CourseState(StrEnum):
    INITIATION = "initiation"
    ACTIVE = "active"
    RESPONSE_REVIEW = "response_review"
    INTERVAL_EXTENSION = "interval_extension"
    WASHOUT = "washout"
    # Long-term use past the initial duration needs a physician's decision; no cycle
    # is released while it is awaited.
    LONG_TERM_DECISION = "long_term_decision"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


TERMINAL_STATES = frozenset({CourseState.COMPLETED, CourseState.DISCONTINUED})
# Only in these states does the sweep release cycles or chase overdue ones.
RELEASING_STATES = frozenset(
    {CourseState.INITIATION, CourseState.ACTIVE, CourseState.INTERVAL_EXTENSION}
)


class CycleStatus(StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measurements(_Frozen):
    weight_kg: WeightKg
    height_cm: HeightCm | None = None
    egfr: Egfr | None = None
    measured_at: AwareDatetime


class DoseOverride(_Frozen):
    """A physician's departure from the guideline's dose: who, why, and from what."""

    reason: str = Field(min_length=1, max_length=1000)
    by: str | None = None
    # Each departure's rule and the passage it departs from, as the plan warned.
    departures: tuple[str, ...] = ()


class DoseOptions(_Frozen):
    """What the physician chose for dose planning; read only by the cycle planner."""

    product: str | None = None
    dosing_weight: Literal["actual", "adjusted"] | None = None  # None: the centre policy
    sex: Literal["female", "male"] | None = None
    age_years: int | None = Field(default=None, ge=0, le=130)
    pregnant: bool = False
    renal_impairment: bool = False
    cardiac_impairment: bool = False
    thrombotic_risk: bool = False
    diabetes: bool = False
    nephrotoxic_drugs: bool = False
    organ_involvement: tuple[Literal["kidney", "heart"], ...] = ()
    reduced_dose: bool = False
    g_per_kg: float | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, ge=1)
    rounding: Literal["vial_combination", "nearest_5g", "none"] | None = None
    # Set by the service from `override_reason` and the actor, never by a client.
    override: DoseOverride | None = None


class PlannedCycle(_Frozen):
    """One cycle's dose as the planner computed it from the latest measurements."""

    days: int = Field(ge=1)
    day_doses_g: tuple[float, ...]
    total_g: float = Field(gt=0)
    product: str
    day_vials: tuple[dict[float, int], ...]
    chair_minutes: tuple[int, ...]
    # The grams prescribed before rounding to vials, and what the vials deliver of them
    # (None on cycles planned before these were kept).
    prescribed_g: float | None = None
    delivered_fraction: float | None = None
    # Renal risk factors present when planned: the pre-infusion check names them.
    renal_risk_factors: tuple[str, ...] = ()
    # Days that start again at the lowest rate with first-infusion observation: the
    # next infusion day after a product switch (clinical reference).
    lowest_rate_days: tuple[int, ...] = ()


class InfusionDay(_Frozen):
    day: int = Field(ge=1)
    date: date
    dose_g: float = Field(gt=0)
    product: str
    lot_numbers: tuple[str, ...]
    event_key: str


class ReleaseConfirmation(_Frozen):
    """A physician's confirmation that a held cycle may be released: who, why, when."""

    by: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    at: AwareDatetime
    egfr: float | None = None  # the eGFR the physician confirmed against


class Cycle(_Frozen):
    number: int = Field(ge=1)  # overall, across series
    series: int = Field(ge=1)
    number_in_series: int = Field(ge=1)
    planned_start: date
    planned_days: tuple[date, ...]
    plan: PlannedCycle
    status: CycleStatus = CycleStatus.PLANNED
    released_at: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None  # an overdue cycle is raised once
    # Held at its release instant until a physician confirms it (severe renal impairment).
    release_held_at: AwareDatetime | None = None
    release_confirmation: ReleaseConfirmation | None = None
    infusions: tuple[InfusionDay, ...] = ()
    # Departures of the given days from the plan, raised and acknowledged (issue 11).
    deviations: tuple[Deviation, ...] = ()
    # Where the course planned the cycle before the chair scheduler moved it
    # (`cycle.rescheduled`); None while it never moved. The scheduler's window stays
    # around it, so daily re-plans cannot walk a cycle away step by step.
    target_start: date | None = None
    # How often the scheduler moved it: effect keys carry it (`dates_key`), so a cycle
    # moved back to a date it was released for is released with fresh work items.
    moves: int = Field(default=0, ge=0)

    @property
    def day_doses_g(self) -> tuple[float, ...]:
        return self.plan.day_doses_g

    @property
    def dates_key(self) -> str:
        """The planned start as effect keys name it; after a move, with its number."""
        start = self.planned_start.isoformat()
        return f"{start}~{self.moves}" if self.moves else start

    @property
    def target(self) -> date:
        """The start the course planned, before any move of the chair scheduler."""
        return self.target_start or self.planned_start

    @property
    def started(self) -> bool:
        return bool(self.infusions)

    @property
    def recorded_days(self) -> frozenset[int]:
        return frozenset(infusion.day for infusion in self.infusions)

    @property
    def complete(self) -> bool:
        return self.recorded_days == frozenset(range(1, len(self.planned_days) + 1))

    @property
    def first_day_given(self) -> date:
        """Day 1 as given, else as planned (the next cycle counts from the plan)."""
        for infusion in self.infusions:
            if infusion.day == 1:
                return infusion.date
        return self.planned_days[0]


class Course(_Frozen):
    course_id: str = Field(min_length=1)
    patient_ref: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    centre: str = Field(min_length=1)
    indication: str = Field(min_length=1)
    guideline_version: str = Field(min_length=1)
    state: CourseState = CourseState.INITIATION
    state_before_hold: CourseState | None = None
    # Where a physician's "continue" at a long-term decision takes the course back to.
    state_after_decision: CourseState | None = None
    series: int = Field(default=1, ge=1)
    cycles_in_series_completed: int = Field(default=0, ge=0)
    cycles_completed: int = Field(default=0, ge=0)
    interval_weeks: int = Field(ge=1)
    measurements: Measurements
    dose_options: DoseOptions = DoseOptions()
    cycles: tuple[Cycle, ...] = ()
    # When the course was opened and its start date: no event may predate both.
    opened_at: AwareDatetime | None = None
    start_date: date | None = None
    last_relapse_check_at: AwareDatetime | None = None
    next_relapse_check_at: AwareDatetime | None = None
    next_due_at: AwareDatetime | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def current_cycle(self) -> Cycle | None:
        """The cycle infusions may be recorded against: released or in progress."""
        for cycle in self.cycles:
            if cycle.status in ("released", "in_progress"):
                return cycle
        return None

    @property
    def last_completed_cycle(self) -> Cycle | None:
        done = [cycle for cycle in self.cycles if cycle.status == "completed"]
        return done[-1] if done else None

    def replace_cycle(self, cycle: Cycle) -> Course:
        cycles = tuple(cycle if c.number == cycle.number else c for c in self.cycles)
        return self.model_copy(update={"cycles": cycles})

    def with_cycle(self, cycle: Cycle) -> Course:
        return self.model_copy(update={"cycles": (*self.cycles, cycle)})
