"""Is the database failing, or only busy? Told apart, and said once per change.

Lock contention (SQLite's busy lock, a PostgreSQL serialization failure or deadlock)
passes: the same key sent again applies once. A database that is down, read-only or
full does not pass by retrying at once, and a ward must not be told it was "busy":
that is `DatabaseUnavailable`, answered 503 with `status: "unavailable"` and the cause.

The state is kept per database and logged only when it changes (working -> failing,
a different cause, failing -> working), so that an outage under load writes two lines,
not one per request. Only a committed write says the database works again: a read
succeeds on a read-only or full database.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError

log = logging.getLogger("ivig_workflow.db")

_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_CAUSES = {
    "SQLITE_READONLY": "the database is read-only",
    "SQLITE_FULL": "the disk is full",
    "SQLITE_CANTOPEN": "the database file cannot be opened",
    "SQLITE_IOERR": "the disk failed to read or write",
    "SQLITE_CORRUPT": "the database file is damaged",
    "SQLITE_NOTADB": "the database file is damaged",
}
# SQLSTATE classes: serialization failure and deadlock, lock not available.
_POSTGRES_BUSY = ("40001", "40P01", "55P03")
_POSTGRES_CAUSES = {
    "53100": "the disk is full",
    "53": "the database server is out of resources",
    "25006": "the database is read-only",
    "08": "the database server cannot be reached",
    "57P": "the database server is shutting down or starting",
}
UNREACHABLE = "the database server cannot be reached"


class DatabaseUnavailable(RuntimeError):
    """The database cannot take the write now; nothing was stored. Send again later."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _read_only_file_system(engine: Engine | None) -> bool:
    database = engine.url.database if engine is not None else None
    if engine is None or engine.dialect.name != "sqlite" or not database:
        return False
    try:
        flags = os.statvfs(Path(database).expanduser().resolve().parent).f_flag
    except OSError:
        return False
    return bool(flags & os.ST_RDONLY)


def unavailable_cause(error: BaseException, engine: Engine | None = None) -> str | None:
    """The cause in words when `error` means the database is unavailable; None when it
    is contention or not a database failure at all. With the engine, an SQLite file on a
    file system mounted read-only is named as such (SQLite says only that it cannot open
    it once its WAL files are gone)."""
    if isinstance(error, DatabaseUnavailable):
        return error.cause
    if not isinstance(error, DBAPIError) or isinstance(error, IntegrityError):
        return None  # a constraint: a racing delivery or a bug, never the database's state
    orig: Any = error.orig
    detail = _first_line(orig) if orig is not None else _first_line(error)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        if name.startswith(_SQLITE_BUSY):
            return None
        cause = next((c for key, c in _SQLITE_CAUSES.items() if name.startswith(key)), None)
        if cause is not None and _read_only_file_system(engine):
            cause = "the database is read-only (its file system is mounted read-only)"
        return f"{cause}: {detail}" if cause else None
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        if state in _POSTGRES_BUSY:
            return None
        cause = next((c for key, c in _POSTGRES_CAUSES.items() if state.startswith(key)), None)
        return f"{cause}: {detail}" if cause else None
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return f"{UNREACHABLE}: {detail}"
    if orig is not None and type(orig).__name__ == "OperationalError":
        return f"{UNREACHABLE}: {detail}"  # psycopg could not connect: no SQLSTATE
    return None


class _State:
    def __init__(self) -> None:
        self.cause: str | None = None
        self.lock = threading.Lock()


_STATES: dict[str, _State] = {}
_REGISTRY = threading.Lock()


def _state(engine: Engine) -> _State:
    # Kept on the engine too: every committed write asks, and rendering the URL is not free.
    found: _State | None = engine.__dict__.get("_ivig_availability")
    if found is None:
        with _REGISTRY:
            found = _STATES.setdefault(engine.url.render_as_string(), _State())
        engine.__dict__["_ivig_availability"] = found
    return found


def note_failure(engine: Engine, cause: str) -> None:
    state = _state(engine)
    with state.lock:
        if state.cause == cause:
            return
        state.cause = cause
    log.error("database unavailable (%s): %s", engine.url.get_backend_name(), cause)


def note_write(engine: Engine) -> None:
    """A write was committed: the database works. Cheap when nothing was failing."""
    state = _state(engine)
    if state.cause is None:
        return
    with state.lock:
        was, state.cause = state.cause, None
    if was is not None:
        log.warning("database available again (%s) after: %s", engine.url.get_backend_name(), was)


def failing_cause(engine: Engine) -> str | None:
    return _state(engine).cause
