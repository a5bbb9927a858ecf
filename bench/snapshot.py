"""Put a database back the way it was before a sweep, so that every run sweeps the same work.

Before: the due courses' rows and their cycles, and the highest id of each table a
sweep appends to. After: delete what was appended, write the snapshot back.
Cheaper and more exact than copying a database of a million courses per run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bench.fleet import raw_connection

APPENDED = ("infusion_days", "work_items", "outbox", "transition_log", "cycles", "inbox")
KEPT = ("courses", "cycles")  # the due courses' rows a sweep rewrites


def db_instant(engine: Engine, at: datetime) -> Any:
    """`at` as the database stores it (SQLite: UTC text, as UtcDateTime writes it)."""
    if engine.dialect.name == "postgresql":
        return at
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Snapshot:
    """Kept in the database itself (tables `bench_kept_<table>`), not in this process:
    the benchmark's peak memory is the sweep's, not a copy of 10,000 courses' rows."""

    def __init__(self, engine: Engine, due_at: datetime) -> None:
        self.engine = engine
        self.mark = "%s" if engine.dialect.name == "postgresql" else "?"
        due = [db_instant(engine, due_at)]
        with raw_connection(engine) as connection:
            cursor = connection.cursor()
            self.top: dict[str, int] = {}
            for table in APPENDED:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                self.top[table] = cursor.fetchone()[0]
            self.due = self._keep(cursor, "courses", f"next_due_at <= {self.mark}", due)
            self._keep(
                cursor,
                "cycles",
                f"course_id IN (SELECT id FROM courses WHERE next_due_at <= {self.mark})",
                due,
            )
            self.columns = {table: self._columns(cursor, table) for table in KEPT}

    def _keep(self, cursor: Any, table: str, where: str, args: list[Any]) -> int:
        cursor.execute(f"DROP TABLE IF EXISTS bench_kept_{table}")
        cursor.execute(
            f"CREATE TABLE bench_kept_{table} AS SELECT * FROM {table} WHERE {where}", args
        )
        cursor.execute(f"SELECT COUNT(*) FROM bench_kept_{table}")
        return int(cursor.fetchone()[0])

    def _columns(self, cursor: Any, table: str) -> list[str]:
        cursor.execute(f"SELECT * FROM bench_kept_{table} WHERE 1 = 0")
        return [d[0] for d in cursor.description if d[0] != "id"]

    def restore(self) -> None:
        with raw_connection(self.engine) as connection:
            cursor = connection.cursor()
            if self.mark == "?":
                cursor.execute("BEGIN")
            for table in APPENDED:
                cursor.execute(f"DELETE FROM {table} WHERE id > {self.mark}", [self.top[table]])
            for table in KEPT:
                assignments = ", ".join(f"{name} = kept.{name}" for name in self.columns[table])
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM bench_kept_{table} AS kept"
                    f" WHERE {table}.id = kept.id"
                )
