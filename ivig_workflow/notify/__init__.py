"""Delivery of notifications to the people who act on them, routed by role.

Plain Python, independent of the database: the dispatch flow reads the outbox,
hands each row to the router as an `OutgoingMessage` and records the results.
"""

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.sinks import DeliveryError, Sink

__all__ = ["DeliveryError", "OutgoingMessage", "Role", "Sink", "refuse_person_names"]
