"""Sinks: one module per way of reaching people, each with `deliver(message)`.

A sink either returns (the message reached its destination) or raises
`DeliveryError`; `retryable` tells the dispatcher whether waiting may help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ivig_workflow.notify.message import OutgoingMessage


class DeliveryError(Exception):
    """A message did not reach its destination."""

    def __init__(self, retryable: bool, reason: str) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.reason = reason


@dataclass(frozen=True)
class SinkResult:
    """What one sink did with one message."""

    sink: str
    delivered: bool
    retryable: bool = False
    reason: str | None = None


class Sink(Protocol):
    def deliver(self, message: OutgoingMessage) -> None: ...


__all__ = ["DeliveryError", "Sink", "SinkResult"]
