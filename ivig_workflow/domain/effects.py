"""Effects: what the state machine asks people to do, as data.

The persistence layer writes them in the same transaction as the state change
(transactional outbox). Keys are built from the course, the cycle or series and
the kind, so the same effect computed twice has the same key and the database's
unique constraint turns a repeat into a no-op.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

Role = Literal["infusion_nurse", "pharmacy", "physician", "operator"]
WorkKind = Literal[
    "book_chairs",
    "prepare_product",
    "pre_infusion_labs",
    "assess_response",
    "assess_relapse",
    "escalate_overdue",
    "physician_decision",
    "review_refused_event",
    "review_deviation",
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


class WorkItemClosed(BaseModel):
    """A decision settles an open work item (a physician acknowledged a deviation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    by: str
    reason: str


def effect_key(course_id: str, *parts: object) -> str:
    """`course:part:part…`, the deterministic identity of an effect."""
    return ":".join([course_id, *(str(part) for part in parts)])
