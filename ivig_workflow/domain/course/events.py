"""Ward events: what the ward systems tell us happened to a course.

Every event carries the sender's idempotency `key`; the inbox keeps it unique, so
the state machine sees each event once. `occurred_at` must carry its time zone: a
naive instant is ambiguous across centres and is refused.

One course event is not the ward's: `cycle.rescheduled` is the chair scheduler's
step (`ivig schedule plan`). It goes through the same state machine and the same
inbox, so the log and replay see it, but the ward API refuses it by name
(`parse_ward_event`); replay reads it back with `parse_course_event`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from ivig_workflow.domain.course.deviation import DeviationKind
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import Egfr, HeightCm, WeightKg
from ivig_workflow.domain.plausible_dates import PlausibleInstant
from ivig_workflow.domain.rule_words import rule_words

_T = TypeVar("_T")
Outcome = Literal["good", "partial", "none", "worse"]
AdverseSeverity = Literal["mild", "moderate", "severe"]


class _Frozen(BaseModel):
    # NaN and infinity are refused as such, not compared with a bound.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Event(_Frozen):
    course_id: str = Field(min_length=1)
    key: str = Field(min_length=1, max_length=200)
    occurred_at: PlausibleInstant
    actor: str | None = Field(default=None, min_length=1)


class Reason(_Frozen):
    reason: str = Field(min_length=1)


class OptionalReason(_Frozen):
    reason: str | None = None


class InfusionData(_Frozen):
    cycle: int = Field(ge=1)
    day: int = Field(ge=1)
    dose_g: float = Field(gt=0, le=1000)
    product: str = Field(min_length=1)
    # Blood-derived medicines must be traceable by batch: no infusion without a lot.
    lot_numbers: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1)


class ResponseData(_Frozen):
    outcome: Outcome
    measures: dict[str, JsonValue] | list[JsonValue] = Field(default_factory=dict)


class RelapseData(_Frozen):
    note: str | None = None


class AdverseEventData(_Frozen):
    severity: AdverseSeverity
    description: str = Field(min_length=1)


class ObservationData(_Frozen):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: {"type": "number"}}}
                for name in ("weight_kg", "height_cm", "egfr")
            ]
        }
    )

    weight_kg: WeightKg | None = None
    height_cm: HeightCm | None = None
    egfr: Egfr | None = None

    @model_validator(mode="after")
    def _something_observed(self) -> ObservationData:
        if self.weight_kg is None and self.height_cm is None and self.egfr is None:
            raise ValueError("at least one of weight_kg, height_cm, egfr is required")
        return self


class ReleaseConfirmationData(_Frozen):
    cycle: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=1000)


class LongTermDecisionData(_Frozen):
    decision: Literal["continue", "washout", "stop"]
    # The guideline allows long-term use only in rare or exceptional cases: every
    # decision on it says why, in the physician's words (kept in the transition log).
    justification: str = Field(min_length=1, max_length=2000)


class FeverData(_Frozen):
    # When the first infusion ended, as the ward recorded it; the hours since are
    # counted from here to the event's occurred_at.
    infusion_ended_at: PlausibleInstant
    temperature_c: float | None = Field(default=None, ge=30, le=45)


class AcknowledgementData(_Frozen):
    cycle: int = Field(ge=1)
    kind: DeviationKind
    reason: str | None = Field(default=None, min_length=1)


class RescheduleData(_Frozen):
    """Where the chair scheduler moved a cycle, why, and the window it kept."""

    cycle: int = Field(ge=1)
    start: date
    days: tuple[date, ...] = Field(min_length=1, max_length=10)
    # The window the move respects: the cycle's target (where the course planned it
    # before any move) and the earliest and latest start the scheduler allowed.
    target: date
    earliest: date
    latest: date
    reason: str = Field(min_length=1, max_length=1000)
    rule: str = Field(min_length=1, max_length=200)
    citation: str = Field(min_length=1, max_length=2000)


class InfusionAdministered(_Event):
    type: Literal["infusion.administered"]
    data: InfusionData


class ResponseAssessed(_Event):
    type: Literal["response.assessed"]
    data: ResponseData


class RelapseReported(_Event):
    type: Literal["relapse.reported"]
    data: RelapseData = RelapseData()


class AdverseEventReported(_Event):
    type: Literal["adverse_event.reported"]
    data: AdverseEventData


class ObservationRecorded(_Event):
    type: Literal["observation.recorded"]
    data: ObservationData


class CourseHeld(_Event):
    type: Literal["course.held"]
    data: Reason


class CourseResumed(_Event):
    type: Literal["course.resumed"]
    data: OptionalReason = OptionalReason()


class CourseDiscontinued(_Event):
    type: Literal["course.discontinued"]
    data: Reason


class CourseCompleted(_Event):
    type: Literal["course.completed"]
    data: Reason


class CycleReleaseConfirmed(_Event):
    """A physician confirms a cycle held before release (eGFR below the threshold)."""

    type: Literal["cycle.release_confirmed"]
    data: ReleaseConfirmationData


class LongTermDecided(_Event):
    type: Literal["long_term.decided"]
    data: LongTermDecisionData


class FeverPersisted(_Event):
    type: Literal["fever.persisted"]
    data: FeverData


class DeviationAcknowledged(_Event):
    type: Literal["deviation.acknowledged"]
    data: AcknowledgementData


class CycleRescheduled(_Event):
    """The chair scheduler moved a cycle not yet begun (internal: never from a ward)."""

    type: Literal["cycle.rescheduled"]
    data: RescheduleData


WardEvent = Annotated[
    InfusionAdministered
    | ResponseAssessed
    | RelapseReported
    | AdverseEventReported
    | ObservationRecorded
    | CourseHeld
    | CourseResumed
    | CourseDiscontinued
    | CourseCompleted
    | CycleReleaseConfirmed
    | LongTermDecided
    | FeverPersisted
    | DeviationAcknowledged,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[str, ...] = (
    "infusion.administered",
    "response.assessed",
    "relapse.reported",
    "adverse_event.reported",
    "observation.recorded",
    "course.held",
    "course.resumed",
    "course.discontinued",
    "course.completed",
    "cycle.release_confirmed",
    "long_term.decided",
    "fever.persisted",
    "deviation.acknowledged",
)

# Events the state machine takes that no ward sends: the scheduler's steps.
INTERNAL_EVENT_TYPES: tuple[str, ...] = ("cycle.rescheduled",)
CourseEvent = Annotated[WardEvent | CycleRescheduled, Field(discriminator="type")]
SCHEDULER = "scheduler"  # the actor of the scheduler's steps

_ADAPTER: TypeAdapter[WardEvent] = TypeAdapter(WardEvent)
_COURSE_ADAPTER: TypeAdapter[CourseEvent] = TypeAdapter(CourseEvent)


def parse_ward_event(raw: Any) -> WardEvent:
    """A validated event, or InputError naming the first bad field (`data.day`)."""
    if isinstance(raw, dict) and raw.get("type") in INTERNAL_EVENT_TYPES:
        raise InputError(
            "type",
            f"{raw['type']} is the chair scheduler's own step (ivig schedule plan), not a "
            "ward event: a ward reports what happened to the patient",
        )
    return _validated(_ADAPTER, raw)


def parse_course_event(raw: Any) -> CourseEvent:
    """A ward event or the scheduler's own step, as the inbox recorded it (replay)."""
    return _validated(_COURSE_ADAPTER, raw)


def _validated(adapter: TypeAdapter[_T], raw: Any) -> _T:
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        # The discriminated union puts the event type first; the sender's field
        # path starts after it.
        if loc and loc[0] in (*EVENT_TYPES, *INTERNAL_EVENT_TYPES):
            loc = loc[1:]
        field = ".".join(loc) or "event"
        rule = rule_words(error)
        if error["type"] == "union_tag_invalid":
            field, rule = "type", f"unknown event type; expected one of {', '.join(EVENT_TYPES)}"
        elif error["type"] == "union_tag_not_found":
            field, rule = "type", "missing event type"
        raise InputError(field, rule) from None
