"""Effects: what the state machine asks people to do, as data.

The persistence layer writes them in the same transaction as the state change
(transactional outbox). Keys are built from the course, the cycle or series and
the kind, so the same effect computed twice has the same key and the database's
unique constraint turns a repeat into a no-op.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue


class Role(StrEnum):
    """Who acts on a work item or notification; routing is by role, never by person."""

    INFUSION_NURSE = "infusion_nurse"
    PHARMACY = "pharmacy"
    PHYSICIAN = "physician"
    OPERATOR = "operator"


class WorkItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


WorkKind = Literal[
    "book_chairs",
    "prepare_product",
    "pre_infusion_labs",
    "assess_response",
    "assess_relapse",
    "escalate_overdue",
    "physician_decision",
    "review_refused_event",
    "confirm_release",
]


class _Effect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=200)
    course_id: str
    role: Role
    data: dict[str, JsonValue] = Field(default_factory=dict)
    # Which rule emitted the effect and the guideline passage behind it.
    rule: str
    citation: str


class WorkItem(_Effect):
    kind: WorkKind
    title: str  # what to do; course ids and pseudonyms only, never names
    due_at: AwareDatetime


class Notification(_Effect):
    subject: str
    body: str


Effect = WorkItem | Notification


def effect_key(course_id: str, *parts: object) -> str:
    """`course:part:part…`, the deterministic identity of an effect."""
    return ":".join([course_id, *(str(part) for part in parts)])
