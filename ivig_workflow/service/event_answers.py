"""What a sender is told about one ward event, and the event as it arrived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from ivig_workflow.domain.course.events import WardEvent
from ivig_workflow.formats.redaction import redact_json_text

Status = Literal["applied", "duplicate", "refused", "invalid", "unknown_course"]


class FieldError(BaseModel):
    field: str
    rule: str


class AnsweredTransition(BaseModel):
    from_state: str | None
    to_state: str
    rule: str
    citation: str


class AnsweredDeviation(BaseModel):
    kind: str
    detail: str
    rule: str
    citation: str


class EventAnswer(BaseModel):
    status: Status
    key: str | None = None
    course_id: str | None = None
    type: str | None = None
    state: str | None = None
    reason: str | None = None
    rule: str | None = None
    errors: list[FieldError] = []
    first_status: str | None = None  # what the first delivery of a duplicate got
    inbox_id: int | None = None
    # What an applied event changed, with the passages: known when deciding, so the
    # HTTP answer needs no read after the commit.
    transitions: list[AnsweredTransition] = []
    # Departures from the plan the applied event raised (issue 11): applied, not refused.
    deviations: list[AnsweredDeviation] = []


@dataclass(frozen=True)
class Arrival:
    """One delivery, parsed: `event` or `error` is set. `text` is what the inbox keeps:
    the body as sent, less names, birth dates, addresses and phones (redaction)."""

    text: str
    actor: str | None
    event: WardEvent | None
    error: FieldError | None

    def __post_init__(self) -> None:
        # Every way a body arrives (the HTTP edge, the CLI, a batch) builds an Arrival:
        # redacting here is the one place nothing identifying can slip past to storage.
        object.__setattr__(self, "text", redact_json_text(self.text))
