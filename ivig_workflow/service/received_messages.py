"""Hospital messages and batches kept verbatim, whatever became of them.

The ward events a message carries go through the inbox like any other; this keeps the
message itself, so that a refused FHIR resource or HL7 message is never lost and an
operator can read exactly what the ward sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from ivig_workflow.db.tables import ReceivedMessageRow
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
            raw=raw,
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
