"""Does the database take a write? What `/readyz` asks before it says "ready".

A read succeeds on a read-only or full database, so the probe writes and commits: the
one row of `alembic_version`, set to itself, in a writer's unit of work (SQLite's write
lock taken up front, as for a ward event; the same WAL append and commit on either
database). That row exists in every migrated database, so no probe table is needed and
nothing a reader sees changes. On PostgreSQL it leaves one dead row version per probe,
which autovacuum takes; a temporary table would not do, since PostgreSQL lets a
read-only transaction write temporary tables.

Limit: on SQLite a full disk is seen only once the write needs a new block; a WAL file
reused after a checkpoint has room for a probe while a large event fails. The event's
own 503 says so then.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from ivig_workflow.service.unit_of_work import UnitOfWork

_TOUCH = text("UPDATE alembic_version SET version_num = version_num")


def take_a_write(engine: Engine) -> None:
    """Raises the database's error when it cannot take and commit a write."""
    with UnitOfWork(engine) as uow:
        uow.session.execute(_TOUCH)
        uow.commit()
