"""When to try a failed notification again, and when to give up (dead letter).

A pure function of the attempts made and the time now, with no jitter: the same
failure history always gives the same schedule, which tests and operators can
read off. Jitter matters little here, since one dispatcher drains the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.sinks import SinkResult


class RetryPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=8, ge=1, le=100)
    base_seconds: float = Field(default=30.0, gt=0)
    max_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _cap_not_below_base(self) -> RetryPolicy:
        if self.max_seconds < self.base_seconds:
            raise ValueError("max_seconds must not be below base_seconds")
        return self

    def delay(self, attempts: int) -> timedelta:
        """The wait after failed attempt n: base * 2**(n-1), never above the cap."""
        # Capping the exponent first keeps 2**n finite however many attempts are made.
        exponent = min(attempts - 1, 64)
        return timedelta(seconds=min(self.base_seconds * 2**exponent, self.max_seconds))

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        return next_attempt(attempts, now, self)


def next_attempt(
    attempts: int, now: datetime, policy: RetryPolicy | None = None
) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None: give up, dead letter."""
    policy = policy or RetryPolicy()
    if attempts < 1:
        raise InputError("attempts", "must be at least 1: a retry follows a failed attempt")
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("now", "must be timezone-aware")
    if attempts >= policy.max_attempts:
        return None
    return now + policy.delay(attempts)


class Settlement(BaseModel):
    """What the outbox row becomes after one delivery attempt (status, attempts, when next)."""

    model_config = ConfigDict(frozen=True)

    status: Literal["delivered", "pending", "dead"]
    attempts: int
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None


def settle(
    results: Sequence[SinkResult], attempts: int, now: datetime, policy: RetryPolicy
) -> Settlement:
    """Fold the sinks' results of attempt number `attempts + 1` into the row's next state.

    A retry goes to every sink of the role again, including those that already
    took the message: they deduplicate by key, and the outbox keeps one status.
    """
    made = attempts + 1
    failures = [result for result in results if not result.delivered]
    if results and not failures:
        return Settlement(status="delivered", attempts=made, delivered_at=now)
    error = "; ".join(f"{r.sink}: {r.reason}" for r in failures) or "no sink for this role"
    # Waiting only helps if some failure said it might; otherwise dead at once.
    retry_at = next_attempt(made, now, policy) if any(r.retryable for r in failures) else None
    if retry_at is None:
        return Settlement(status="dead", attempts=made, last_error=error)
    return Settlement(status="pending", attempts=made, next_attempt_at=retry_at, last_error=error)
