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

from ivig_workflow.domain.course.chair_effect import ChairsChanged


class Role(StrEnum):
    """Who acts on a work item or notification; routing is by role, never by person."""

    INFUSION_NURSE = "infusion_nurse"
    PHARMACY = "pharmacy"
    PHYSICIAN = "physician"
    OPERATOR = "operator"
    # Keeps the centre's chairs: places the cycles the chair planner could not.
    SCHEDULER = "scheduler"


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
    "long_term_decision",
    "place_cycle",
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


class WorkItemClosed(_Effect):
    """Closes an open work item raised earlier, once what it asked for is recorded.

    `key` is this closing's own identity (`<work item key>:closed`); `work_item_key`
    names the item. Closing an item that is closed already, or was never raised, is a
    no-op: a person may have closed it by hand first, and that record is kept.
    """

    work_item_key: str = Field(min_length=1, max_length=200)
    outcome: Literal["done", "cancelled"] = "done"
    closed_by: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1)


Effect = WorkItem | Notification | WorkItemClosed | ChairsChanged


def close_work_item(
    item_key: str,
    *,
    course_id: str,
    role: Role,
    closed_by: str | None,
    reason: str,
    rule: str,
    citation: str,
    outcome: Literal["done", "cancelled"] = "done",
) -> WorkItemClosed:
    """The effect that closes the work item keyed `item_key` (done, by default)."""
    return WorkItemClosed(
        key=f"{item_key}:closed",
        work_item_key=item_key,
        course_id=course_id,
        role=role,
        outcome=outcome,
        # An event without an actor was recorded by the ward system itself.
        closed_by=closed_by or "ivig-workflow",
        reason=reason,
        rule=rule,
        citation=citation,
    )


def effect_key(course_id: str, *parts: object) -> str:
    """`course:part:part…`, the deterministic identity of an effect."""
    return ":".join([course_id, *(str(part) for part in parts)])
