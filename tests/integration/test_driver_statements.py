"""The hot writes run on the driver's cursor (issue 14) and must behave as SQLAlchemy's
execute did, on both databases: the same stored values, ids in the rows' order, the
rows affected counted, and a constraint raised as SQLAlchemy's IntegrityError (the
ward-event retries and `unavailable_cause` depend on it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from ivig_workflow.db.driver_statements import (
    IDS,
    DriverStatement,
    heads,
    insert_new_keys,
    keys_present,
    select_in,
    table_insert_ids,
)
from ivig_workflow.db.statuses import InboxStatus
from ivig_workflow.db.tables import InboxRow

INBOX: Table = InboxRow.__table__  # type: ignore[attr-defined]
WARD_ZONE = timezone(timedelta(hours=1))


def _row(key: str, received_at: datetime) -> dict[str, Any]:
    return {
        "key": key,
        "course_id": None,
        "type": "infusion.administered",
        "raw": "{}",
        "received_at": received_at,
        "status": InboxStatus.APPLIED,
        "reason": None,
        "state_after": None,
        "actor": None,
    }


def test_rows_go_in_as_sqlalchemy_would_store_them(engine: Engine) -> None:
    at = datetime(2027, 3, 1, 9, 30, 5, 7, tzinfo=WARD_ZONE)
    rows = [_row(f"k{n}", at + timedelta(minutes=n)) for n in range(5)]
    with engine.begin() as connection:
        ids = table_insert_ids(INBOX).insert_ids(connection, rows)
        stored = connection.execute(select(INBOX).order_by(INBOX.c.id)).mappings().all()
        assert keys_present(connection, INBOX, ["k1", "k4", "nope"]) == {"k1", "k4"}
    assert ids == [row["id"] for row in stored] and len(set(ids)) == 5
    assert [row["key"] for row in stored] == [f"k{n}" for n in range(5)]
    assert stored[0]["received_at"] == at.astimezone(UTC)  # the instant, read back in UTC
    assert stored[0]["status"] is InboxStatus.APPLIED


def test_updates_count_the_rows_they_changed(engine: Engine) -> None:
    at = datetime(2027, 3, 1, 8, tzinfo=UTC)
    statement = DriverStatement(
        lambda _: (
            update(INBOX)
            .where(INBOX.c.key == bindparam("b_key"), INBOX.c.status == InboxStatus.APPLIED.value)
            .values(reason=bindparam("b_reason"))
        )
    )
    with engine.begin() as connection:
        table_insert_ids(INBOX).insert_ids(connection, [_row("a", at), _row("b", at)])
        changes = [{"b_key": key, "b_reason": "seen"} for key in ("a", "b", "missing")]
        assert statement.executemany(connection, changes) == 2
        reasons = connection.execute(select(INBOX.c.reason)).scalars().all()
    assert reasons == ["seen", "seen"]


def test_a_key_stored_twice_is_skipped_or_refused_as_sqlalchemy_says(engine: Engine) -> None:
    at = datetime(2027, 3, 1, 8, tzinfo=UTC)
    with engine.begin() as connection:
        table_insert_ids(INBOX).insert_ids(connection, [_row("once", at)])
        insert_new_keys(INBOX).executemany(connection, [_row("once", at), _row("new", at)])
        assert keys_present(connection, INBOX, ["once", "new"]) == {"once", "new"}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        table_insert_ids(INBOX).insert_ids(connection, [_row("once", at)])


def test_heads_come_in_id_order_across_chunks_and_lock_on_postgres(engine: Engine) -> None:
    """More ids than one SQLite statement binds: every row once, in id order (two
    PostgreSQL writers lock overlapping batches in one order), the locked read too."""
    probe = Table(
        "heads_probe",
        MetaData(),
        Column("id", String(36), primary_key=True),
        Column("version", Integer, nullable=False),
    )
    ids = [f"c-{(n * 7919) % 1201:04d}" for n in range(1201)]  # every number, shuffled
    with engine.begin() as connection:
        probe.create(connection)
        connection.execute(probe.insert(), [{"id": i, "version": n} for n, i in enumerate(ids)])
    try:
        version_of = {i: n for n, i in enumerate(ids)}
        wanted = [*ids[:1100], "c-missing"]
        with engine.begin() as connection:
            for lock in (False, True):
                found = heads(connection, probe, wanted, lock=lock)
                assert found == [(i, version_of[i]) for i in sorted(ids[:1100])]
            assert heads(connection, probe, [], lock=True) == []
    finally:
        with engine.begin() as connection:
            probe.drop(connection)


def test_select_in_fills_its_ids_on_either_database(engine: Engine) -> None:
    at = datetime(2027, 3, 1, 8, tzinfo=UTC)
    keys = [f"k{n}" for n in range(700)]
    with engine.begin() as connection:
        table_insert_ids(INBOX).insert_ids(connection, [_row(key, at) for key in keys])
        sql = f"SELECT key, status FROM inbox WHERE key {IDS}"
        found = select_in(connection, sql, [*keys[::-1], "nope"])
        assert sorted(found) == sorted((key, "applied") for key in keys)
        assert select_in(connection, sql, []) == []
