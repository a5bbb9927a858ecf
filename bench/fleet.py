"""Many valid courses fast: a few started through the service, the rest cloned row by row.

A clone is the template's own rows (patient, course, cycles, infusion days, log,
work items, notifications) with fresh ids, and the template's course id and
patient reference rewritten wherever they appear (the `start` JSON, effect keys).
So every clone is a course the service can load and tick, and bulk loading costs
what the database's executemany / COPY costs, not what the service costs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import Rulebook

# Parents before children, so that foreign keys hold at every insert.
TABLES = (
    "patients",
    "courses",
    "cycles",
    "infusion_days",
    "transition_log",
    "work_items",
    "outbox",
)
SERIAL = ("patients", "cycles", "infusion_days", "transition_log", "work_items", "outbox")


def startable_indications(rulebook: Rulebook) -> list[str]:
    return list(rulebook.guideline.indications)


def bench_override(rulebook: Rulebook, indication: str) -> str | None:
    """The override a benchmark gives where the guideline gives no recommendation."""
    line = rulebook.guideline.indication(indication).line.line
    return "benchmark data" if line == "no_recommendation" else None


def start_templates(
    engine: Engine,
    rulebook: Rulebook,
    now: datetime,
    start_dates: Sequence[date],
    tag: str,
) -> list[str]:
    """One course per start date, indications taken in turn (skipping those refused)."""
    indications = startable_indications(rulebook)
    ids: list[str] = []
    turn = 0
    for number, start in enumerate(start_dates):
        for _ in range(len(indications)):
            indication = indications[turn % len(indications)]
            turn += 1
            try:
                course = start_course(
                    StartCourse(
                        patient_ref=f"TPL-{tag}-{number:06d}-X",
                        indication=indication,
                        start_date=start,
                        weight_kg=50 + (number * 7) % 60,
                        # Benchmark data, not care: dates far ahead and indications
                        # without a recommendation are taken as given (issue 11 refuses
                        # both without these).
                        backfill=True,
                        override_reason=bench_override(rulebook, indication),
                    ),
                    engine=engine,
                    rulebook=rulebook,
                    now=now,
                )
            except InputError:
                continue
            ids.append(course.course_id)
            break
    return ids


@contextmanager
def raw_connection(engine: Engine) -> Iterator[Any]:
    connection = engine.raw_connection()
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


class Cloner:
    """Copies template courses through the raw DBAPI connection, in the database's own
    representation, so that no value goes through Python types and back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.mark = "%s" if self.postgres else "?"

    def _rows(
        self, cursor: Any, table: str, where: str, args: Sequence[Any]
    ) -> list[dict[str, Any]]:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", list(args))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def template(self, cursor: Any, course_id: str) -> dict[str, list[dict[str, Any]]]:
        m = self.mark
        course = self._rows(cursor, "courses", f"id = {m}", [course_id])
        cycles = self._rows(cursor, "cycles", f"course_id = {m}", [course_id])
        days: list[dict[str, Any]] = []
        for cycle in cycles:
            days += self._rows(cursor, "infusion_days", f"cycle_id = {m}", [cycle["id"]])
        return {
            "patients": self._rows(cursor, "patients", f"id = {m}", [course[0]["patient_id"]]),
            "courses": course,
            "cycles": cycles,
            "infusion_days": days,
            "transition_log": self._rows(cursor, "transition_log", f"course_id = {m}", [course_id]),
            "work_items": self._rows(cursor, "work_items", f"course_id = {m}", [course_id]),
            "outbox": self._rows(cursor, "outbox", f"course_id = {m}", [course_id]),
        }

    def clone(
        self, templates: Sequence[str], count: int, tag: str, chunk: int = 20_000
    ) -> list[tuple[str, str]]:
        """`count` clones, template i % len(templates) for the i-th, in chunks of `chunk`;
        returns (clone id, template id) pairs."""
        made: list[tuple[str, str]] = []
        with raw_connection(self.engine) as connection:
            cursor = connection.cursor()
            shapes = [self.template(cursor, course_id) for course_id in templates]
            next_id = {}
            for table in SERIAL:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                next_id[table] = cursor.fetchone()[0] + 1
            if not self.postgres:
                # Build speed only: these databases are thrown away if the machine dies.
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-262144")
            for first in range(0, count, chunk):
                if not self.postgres:
                    cursor.execute("BEGIN")  # the engine's connections run in autocommit
                batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
                columns: dict[str, list[str]] = {}
                for n in range(first, min(count, first + chunk)):
                    shape = shapes[n % len(shapes)]
                    new = self._one(shape, f"{tag}-{n:08d}", next_id, batch, columns)
                    made.append((new, templates[n % len(templates)]))
                for table in TABLES:
                    if batch[table]:
                        self._write(cursor, table, columns[table], batch[table])
                connection.commit()
            if self.postgres:
                for table in SERIAL:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
        return made

    def _one(
        self,
        shape: dict[str, list[dict[str, Any]]],
        ref: str,
        next_id: dict[str, int],
        batch: dict[str, list[tuple[Any, ...]]],
        columns: dict[str, list[str]],
    ) -> str:
        old_course = shape["courses"][0]["id"]
        old_ref = shape["patients"][0]["ref"]
        new_course = str(uuid.uuid4())
        ids: dict[tuple[str, Any], Any] = {}  # (table, old id) -> new id

        def text(value: Any) -> Any:
            if isinstance(value, str):
                return value.replace(old_course, new_course).replace(old_ref, ref)
            if isinstance(value, dict | list):  # PostgreSQL hands JSON back as Python
                return self._json(json.loads(text(json.dumps(value))))
            return value

        for table in TABLES:
            for row in shape[table]:
                new = {name: text(value) for name, value in row.items()}
                if table in SERIAL:
                    new["id"] = next_id[table]
                    next_id[table] += 1
                    ids[(table, row["id"])] = new["id"]
                if table == "courses":
                    new["patient_id"] = ids[("patients", row["patient_id"])]
                if table == "infusion_days":
                    new["cycle_id"] = ids[("cycles", row["cycle_id"])]
                columns.setdefault(table, list(new))
                batch[table].append(tuple(new[c] for c in columns[table]))
        return new_course

    def _json(self, value: Any) -> Any:
        from psycopg.types.json import Json

        return Json(value)

    def _write(
        self, cursor: Any, table: str, names: list[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if self.postgres:
            with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(names))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
