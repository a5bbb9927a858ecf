"""Hospital messages and batches kept as they came, whatever became of them, without
the patient's identifying fields (see `formats.redaction`), and for a set time.

The ward events a message carries go through the inbox like any other; this keeps the
message itself, so that a refused FHIR resource or HL7 message is never lost and an
operator can read what the ward sent. Names, birth dates, addresses and phones are
redacted before the row is written, so they never reach the database, its WAL or a
backup. Messages older than `IVIG_MESSAGE_RETENTION_DAYS` (default 90) are deleted
by `purge_messages`, which the dispatch job runs and `ivig db purge-messages` runs on
demand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete

from ivig_workflow import settings
from ivig_workflow.db.tables import ReceivedMessageRow
from ivig_workflow.formats.redaction import redact_hl7v2, redact_json_text
from ivig_workflow.service.unit_of_work import UnitOfWork

Format = Literal["fhir", "hl7v2", "batch"]
Outcome = Literal["accepted", "refused", "invalid"]


def keep_message(
    raw: str,
    *,
    format: Format,
    outcome: Outcome,
    reason: str | None,
    engine: Engine,
    now: datetime,
    sender: str | None,
    event_keys: list[str] | None = None,
) -> int:
    with UnitOfWork(engine) as uow:
        row = ReceivedMessageRow(
            format=format,
            raw=redact_hl7v2(raw) if format == "hl7v2" else redact_json_text(raw),
            received_at=now,
            sender=sender,
            outcome=outcome,
            reason=reason,
            event_keys=event_keys or [],
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        assert row.id is not None
        return row.id


DEFAULT_RETENTION_DAYS = 90


def IVIG_MESSAGE_RETENTION_DAYS() -> int:
    """Days a received message is kept (at least 1; default 90)."""
    return settings.positive_whole("message_retention_days", DEFAULT_RETENTION_DAYS)


def purge_messages(engine: Engine, *, now: datetime, days: int | None = None) -> int:
    """Delete received messages older than the retention; return how many went."""
    cutoff = now - timedelta(days=IVIG_MESSAGE_RETENTION_DAYS() if days is None else days)
    table = ReceivedMessageRow.__table__  # type: ignore[attr-defined]
    with UnitOfWork(engine) as uow:
        gone = uow.session.connection().execute(delete(table).where(table.c.received_at < cutoff))
        uow.commit()
    return int(gone.rowcount or 0)
