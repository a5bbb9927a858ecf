"""The database and rulebook a flow run works with, opened once per process.

Flows run again and again in the same process (`ivig serve` fires them every few
seconds), so engines are kept per database URL instead of opened per run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from ivig_workflow.db.engine import shared_engine
from ivig_workflow.service.rulebook import Rulebook, load_rulebook


def engine(url: str | None = None) -> Engine:
    return shared_engine(url)


def rulebook() -> Rulebook:
    return load_rulebook()


def instant(at: datetime | None) -> datetime:
    """The run's instant in UTC: the scheduled time when given, else now."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        # Prefect hands parameters back naive only when they were sent naive;
        # a naive instant from our own clock is UTC.
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def stamp(at: datetime) -> str:
    """`2026-03-02T06:30Z`: the readable instant in run names and artifacts."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
