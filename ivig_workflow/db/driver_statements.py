"""The hot writes, compiled once per dialect and run on the driver's own cursor.

A ward event writes half a dozen statements. Through `Connection.execute` each paid
~60 µs of SQLAlchemy's execution machinery (compiled-cache lookup, an execution
context, per-value parameter processing, result set-up, events) where SQLite took
~10 µs to run it. Here a statement is compiled once per (dialect, column keys), its
bind processors (the very conversions of `types.py` that SQLAlchemy would apply:
UTC instants, enums by value, JSON) are looked up once, and the rows go to the
DBAPI cursor's `executemany` as tuples (SQLite's qmark style) or as dicts (psycopg's
pyformat style, with the casts SQLAlchemy renders for PostgreSQL).

Errors go through SQLAlchemy's own handler, so that callers still see
`IntegrityError` or `OperationalError` (the retries and `unavailable_cause` depend on
them) and a connection lost mid-statement is invalidated as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.dml import UpdateBase

Build = Callable[[str], UpdateBase]  # the statement for a dialect's name
Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names, in the order the SQL binds them
    # The positions whose values SQLAlchemy would convert, with their conversion.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    positional: bool
    # Values written into the statement itself (`status == 'open'`), bound every time.
    constants: Mapping[str, Any]

    def parameters(self, rows: Sequence[Row]) -> list[Any]:
        if self.constants:
            rows = [{**self.constants, **row} for row in rows]
        values = itemgetter(*self.names)  # one C call per row for every value
        processors = self.processors
        converted = []
        for row in rows:
            got = values(row)
            bound = [got] if len(self.names) == 1 else list(got)
            for position, process in processors:
                bound[position] = process(bound[position])
            converted.append(
                bound if self.positional else dict(zip(self.names, bound, strict=True))
            )
        return converted


class DriverStatement:
    """An INSERT or UPDATE that takes many rows of the same keys."""

    def __init__(self, build: Build) -> None:
        self._build = build
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get((dialect.name, keys))
        if found is None:
            found = _compile(self._build(dialect.name), dialect, keys)
            self._compiled[(dialect.name, keys)] = found  # a race compiles twice, harmlessly
        return found

    def executemany(self, connection: Connection, rows: Sequence[Row]) -> int:
        """Every row (all with the first row's keys); returns the rows affected."""
        if not rows:
            return 0
        compiled = self._for(connection.dialect, tuple(rows[0]))
        parameters = compiled.parameters(rows)
        driver = driver_connection(connection)
        cursor = None
        try:
            cursor = driver.cursor()
            _announce(connection, cursor, compiled.sql, parameters)
            cursor.executemany(compiled.sql, parameters)
            _announce(connection, cursor, compiled.sql, parameters, after=True)
            return int(cursor.rowcount)
        except BaseException as error:
            connection._handle_dbapi_exception(error, compiled.sql, parameters, cursor, None)
        finally:
            if cursor is not None:
                cursor.close()

    def insert_ids(self, connection: Connection, rows: Sequence[Row]) -> list[int]:
        """Insert every row; the ids the database gave them, in the rows' order."""
        if not rows:
            return []
        compiled = self._for(connection.dialect, tuple(rows[0]))
        parameters = compiled.parameters(rows)
        driver = driver_connection(connection)
        cursor = None
        try:
            cursor = driver.cursor()
            _announce(connection, cursor, compiled.sql, parameters)
            if connection.dialect.name == "sqlite":
                ids = []
                for values in parameters:  # the writer holds the lock: one row at a time
                    cursor.execute(compiled.sql, values)
                    ids.append(int(cursor.lastrowid))
                return ids
            # psycopg: one pipelined round trip, each row's RETURNING in its own result.
            cursor.executemany(compiled.sql, parameters, returning=True)
            ids = []
            while True:
                ids.append(int(cursor.fetchone()[0]))
                if not cursor.nextset():
                    return ids
        except BaseException as error:
            connection._handle_dbapi_exception(error, compiled.sql, parameters, cursor, None)
        finally:
            if cursor is not None:
                cursor.close()


def _announce(
    connection: Connection, cursor: Any, sql: str, parameters: Any, *, after: bool = False
) -> None:
    """Listeners of the engine's cursor events (tests that watch the statements, tracing)
    still see these; without listeners this costs two attribute reads. There is no
    execution context: they are handed None for it."""
    name = "after_cursor_execute" if after else "before_cursor_execute"
    # SQLite's engine has listeners of its own (connect, begin), so its flag is nearly
    # always set: ask the engine's dispatcher, kept with the engine, whether anyone
    # listens to this event, before the connection's (new with every connection, its
    # listener lists built on first use) is asked: an empty hook cost ~3 µs a statement.
    if not connection._has_events and not (
        connection.engine._has_events and getattr(connection.engine.dispatch, name)
    ):
        return
    hook = getattr(connection.dispatch, name)
    if not hook:
        return
    hook(connection, cursor, sql, parameters, None, True)


def driver_connection(connection: Connection) -> Any:
    """The DBAPI connection (sqlite3's or psycopg's) under `connection`."""
    driver = connection.connection.driver_connection
    assert driver is not None, "the connection is closed"
    return driver


def _compile(statement: UpdateBase, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
    # Defaults computed in Python, renamed or expanding parameters are SQLAlchemy's to
    # handle; none of the hot statements has them, and none may creep in unnoticed.
    assert not compiled.insert_prefetch and not compiled.update_prefetch, statement
    assert not compiled.escaped_bind_names and not compiled.literal_execute_params, statement
    names = tuple(compiled.positiontup if compiled.positional else compiled.bind_names.values())
    constants = {
        name: bind.effective_value for bind, name in compiled.bind_names.items() if name not in keys
    }
    assert all(value is not None for value in constants.values()), (statement, keys)
    processors = compiled._bind_processors
    return _Compiled(
        sql=compiled.string,
        names=names,
        processors=tuple(
            (position, processors[name])
            for position, name in enumerate(names)
            if processors.get(name) is not None
        ),
        positional=bool(compiled.positional),
        constants=constants,
    )


def table_insert(table: Table) -> DriverStatement:
    return DriverStatement(lambda _dialect: insert(table))


def table_insert_ids(table: Table) -> DriverStatement:
    """Inserts whose generated `id` comes back (SQLite reads it from the cursor)."""

    def build(dialect: str) -> UpdateBase:
        plain = insert(table)
        return plain if dialect == "sqlite" else plain.returning(table.c.id)

    return DriverStatement(build)


def insert_new_keys(table: Table) -> DriverStatement:
    """Inserts of rows whose `key` is not stored yet; the unique index decides."""

    def build(dialect: str) -> UpdateBase:
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return dialect_insert(table).on_conflict_do_nothing(index_elements=["key"])

    return DriverStatement(build)


def heads(
    connection: Connection, table: Table, ids: Sequence[str], *, lock: bool
) -> list[tuple[str, int]]:
    """(id, version) of the rows among `ids`, ordered by id (two PostgreSQL writers that
    lock overlapping batches lock in one order); `lock` locks them (`FOR UPDATE`). Every
    event and sweep batch asks this first: through `Connection.execute` the expanding
    IN cost ~40 µs where SQLite took ~2."""
    quote = connection.dialect.identifier_preparer.quote
    key = quote("id")
    sql = f"SELECT {key}, {quote('version')} FROM {quote(table.name)} WHERE {key} {IDS}"
    if connection.dialect.name == "postgresql":
        return select_in(connection, f"{sql} ORDER BY {key}{' FOR UPDATE' if lock else ''}", ids)
    # SQLite's ORDER BY on text compares UTF-8 bytes: the same order as Python's, and
    # the same across chunks of ids.
    return sorted(select_in(connection, sql, ids))


IDS = "{ids}"  # where `select_in` puts its ids


def select_in(connection: Connection, sql: str, ids: Sequence[Any]) -> list[Any]:
    """The rows of a SELECT whose `IDS` stands for `IN` the `ids`: on SQLite as many
    `?` as ids (in chunks, whose rows come one chunk after the other), on PostgreSQL
    `= ANY(%s)` with the ids as one array. Plain tuples, no type processing: only for
    columns the driver returns as their Python values (text, integers)."""
    if not ids:
        return []
    driver = driver_connection(connection)
    found: list[Any] = []
    statement = ""
    cursor = None
    try:
        cursor = driver.cursor()
        if connection.dialect.name == "postgresql":
            statement = sql.replace(IDS, "= ANY(%s)")
            _announce(connection, cursor, statement, ids)
            cursor.execute(statement, (list(ids),))
            return list(cursor.fetchall())
        for start in range(0, len(ids), _SQLITE_KEYS):
            chunk = ids[start : start + _SQLITE_KEYS]
            statement = sql.replace(IDS, f"IN ({', '.join('?' * len(chunk))})")
            _announce(connection, cursor, statement, chunk)
            cursor.execute(statement, chunk)
            found.extend(cursor.fetchall())
        return found
    except BaseException as error:
        connection._handle_dbapi_exception(error, statement, ids, cursor, None)
    finally:
        if cursor is not None:
            cursor.close()


def keys_present(connection: Connection, table: Table, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the table's `key` column holds: the inbox's question for every
    event, nearly always answered "none"."""
    quote = connection.dialect.identifier_preparer.quote
    sql = f"SELECT {quote('key')} FROM {quote(table.name)} WHERE {quote('key')} {IDS}"
    return {key for (key,) in select_in(connection, sql, keys)}


_SQLITE_KEYS = 500  # bound parameters per statement, well under SQLite's limit
