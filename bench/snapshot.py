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


def db_instant(engine: Engine, at: datetime) -> Any:
    """`at` as the database stores it (SQLite: UTC text, as UtcDateTime writes it)."""
    if engine.dialect.name == "postgresql":
        return at
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Snapshot:
    def __init__(self, engine: Engine, due_at: datetime) -> None:
        self.engine = engine
        self.mark = "%s" if engine.dialect.name == "postgresql" else "?"
        with raw_connection(engine) as connection:
            cursor = connection.cursor()
            self.top: dict[str, int] = {}
            for table in APPENDED:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                self.top[table] = cursor.fetchone()[0]
            self.courses = self._rows(
                cursor, "courses", f"next_due_at <= {self.mark}", [db_instant(engine, due_at)]
            )
            self.cycles = self._rows(
                cursor,
                "cycles",
                f"course_id IN (SELECT id FROM courses WHERE next_due_at <= {self.mark})",
                [db_instant(engine, due_at)],
            )

    def _rows(self, cursor: Any, table: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def restore(self) -> None:
        with raw_connection(self.engine) as connection:
            cursor = connection.cursor()
            if self.mark == "?":
                cursor.execute("BEGIN")
            for table in APPENDED:
                cursor.execute(f"DELETE FROM {table} WHERE id > {self.mark}", [self.top[table]])
            self._put_back(cursor, "courses", self.courses)
            self._put_back(cursor, "cycles", self.cycles)

    def _put_back(self, cursor: Any, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = [name for name in rows[0] if name != "id"]
        assignments = ", ".join(f"{name} = {self.mark}" for name in names)
        wrap = _json_wrapper() if self.mark == "%s" else (lambda v: v)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = {self.mark}",
            [(*tuple(wrap(row[n]) for n in names), row["id"]) for row in rows],
        )


def _json_wrapper() -> Any:
    from psycopg.types.json import Json

    return lambda value: Json(value) if isinstance(value, dict | list) else value
