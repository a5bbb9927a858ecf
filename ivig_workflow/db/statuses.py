"""The closed vocabularies the tables store, by value.

The course states, cycle and work-item statuses are the domain's own (one vocabulary, not two);
the columns are VARCHARs, so a vocabulary can grow without a migration.
"""

from enum import StrEnum

from ivig_workflow.domain.course.effects import WorkItemStatus
from ivig_workflow.domain.course.model import CourseState, CycleStatus

__all__ = ["CourseState", "CycleStatus", "InboxStatus", "OutboxStatus", "WorkItemStatus"]


class InboxStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # well-formed, but the course's state does not allow it
    INVALID = "invalid"  # could not be parsed or validated; the raw text is kept


# A chair booking's status: plain text, not an enum, since the statements that free
# chairs on the driver's cursor bind it as it is.
BOOKED, CANCELLED = "booked", "cancelled"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the retry budget; an operator has to look
