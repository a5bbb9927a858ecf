"""Care of the database itself, run by the dispatch job: old hospital messages purged, and
an operator told when SQLite's write-ahead log stops being checkpointed.

A WAL that is never folded back into the database grows without bound (a reader held
open for days, a disk that refuses writes) until the disk is full and every ward gets
503. SQLite checkpoints by itself after each commit; here a PASSIVE checkpoint (never
waits for readers) is attempted and its result read: when pages stay behind for
longer than `IVIG_WAL_STUCK_MINUTES` (default 30), or the WAL file is larger than
`IVIG_WAL_ALARM_MB` (default 256), an operator work item `review_wal_checkpoint`
opens, at most one per day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ivig_workflow import settings
from ivig_workflow.db.effect_rows import insert_new_keys
from ivig_workflow.db.statuses import WorkItemStatus
from ivig_workflow.db.tables import WorkItemRow
from ivig_workflow.service.received_messages import purge_messages
from ivig_workflow.service.unit_of_work import UnitOfWork

log = logging.getLogger("ivig.housekeeping")
WAL_ALARM_KIND = "review_wal_checkpoint"
PURGE_EVERY = timedelta(hours=1)


def IVIG_WAL_ALARM_MB() -> int:
    return settings.positive_whole("wal_alarm_mb", 256)


def IVIG_WAL_STUCK_MINUTES() -> int:
    return settings.positive_whole("wal_stuck_minutes", 30)


@dataclass(frozen=True)
class Checkpoint:
    wal_bytes: int
    pages_left: int  # pages of the WAL not yet in the database after the checkpoint
    error: str | None = None


def checkpoint(engine: Engine) -> Checkpoint | None:
    """One PASSIVE checkpoint and what it left behind; None when not on SQLite."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    wal = Path(engine.url.database + "-wal")
    try:
        with engine.connect() as connection:
            busy, pages, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        left, error = (max(pages - done, 0), None) if busy == 0 else (pages, "checkpoint busy")
    except SQLAlchemyError as failure:
        left, error = -1, str(getattr(failure, "orig", failure)).splitlines()[0]
    return Checkpoint(wal.stat().st_size if wal.exists() else 0, left, error)


class Housekeeping:
    """Kept by the process that runs the dispatch job: remembers since when the WAL
    has been stuck and when messages were last purged."""

    def __init__(self) -> None:
        self.stuck_since: datetime | None = None
        self.purged_at: datetime | None = None

    def run(self, engine: Engine, now: datetime) -> dict[str, object]:
        done: dict[str, object] = {}
        if self.purged_at is None or now - self.purged_at >= PURGE_EVERY:
            done["messages_purged"] = purge_messages(engine, now=now)
            self.purged_at = now
        state = checkpoint(engine)
        if state is None:
            return done
        stuck = state.error is not None or state.pages_left > 0
        self.stuck_since = (self.stuck_since or now) if stuck else None
        too_long = self.stuck_since is not None and now - self.stuck_since >= timedelta(
            minutes=IVIG_WAL_STUCK_MINUTES()
        )
        too_big = state.wal_bytes > IVIG_WAL_ALARM_MB() * 1024 * 1024
        if too_long or too_big:
            done["wal_alarm"] = raise_wal_alarm(engine, now, state, self.stuck_since)
        return done


def raise_wal_alarm(
    engine: Engine, now: datetime, state: Checkpoint, stuck_since: datetime | None
) -> str:
    """An operator work item, once per day: the unique key makes a repeat a no-op."""
    key = f"wal-checkpoint:{now.date().isoformat()}"
    why = state.error or f"{state.pages_left} pages not checkpointed"
    title = (
        f"The database's write-ahead log is {state.wal_bytes // (1024 * 1024)} MB and "
        f"checkpoints fail ({why}): look for a long-open reader or a full disk"
    )
    log.warning("%s", title)
    row = {
        "key": key,
        "course_id": None,
        "role": "operator",
        "kind": WAL_ALARM_KIND,
        "title": title,
        "due_at": now,
        "status": WorkItemStatus.OPEN,
        "data": {
            "wal_bytes": state.wal_bytes,
            "pages_left": state.pages_left,
            "error": state.error,
            "stuck_since": stuck_since.isoformat() if stuck_since else None,
        },
        "created_at": now,
        "closed_at": None,
        "closed_by": None,
        "close_reason": None,
    }
    with UnitOfWork(engine) as uow:
        insert_new_keys(uow.session.connection(), WorkItemRow, [row])
        uow.commit()
    return key


HOUSEKEEPING = Housekeeping()
