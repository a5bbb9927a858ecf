"""One transaction per ward event or per sweep batch.

Everything a decision changes (the course and its cycles, the transition log, the
inbox outcome, work items and outbox rows) is written inside one `UnitOfWork`, so
either all of it is stored or none of it. On SQLite the writer takes the database
lock when it begins; on PostgreSQL the course row is locked (`FOR UPDATE`) and the
version column catches anything that slipped past.

SQLite admits one writer at a time. Writers of one process queue on a lock of
their own before they begin, instead of in SQLite's busy handler, which polls with
sleeps of up to 100 ms and turned 32 concurrent HTTP clients into a lock convoy.
Other processes still wait in the busy handler.

The unit of work is a Core connection in a transaction; an ORM session is made on
that connection only when a caller asks for `session` (tokens, the outbox, the
scheduler). A ward event never does: a session's set-up, begin, commit and close
cost ~60 µs more than the connection's, paid by every event.

On SQLite the writer's connection is then kept for the next unit of work (`_Parked`,
one per engine, used only under the writer lock): checking a connection out of the
pool and back in cost ~30 µs of every event, a tenth of a one-event transaction.
Only a connection that committed or rolled back cleanly, without a session, is kept;
`Engine.dispose` closes it, as it closes the pool's.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ivig_workflow.db.availability import note_write
from ivig_workflow.db.course_cache import course_cache
from ivig_workflow.db.course_store import CourseStore
from ivig_workflow.db.engine import session_factory, session_on, writer_engine

_SQLITE_WRITERS: dict[str, threading.RLock] = {}
_REGISTRY = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    # Kept on the engine too: rendering its URL for the registry cost more than the
    # rest of a unit of work's set-up.
    lock: threading.RLock | None = engine.__dict__.get("_ivig_writer_lock")
    if lock is None:
        with _REGISTRY:
            lock = _SQLITE_WRITERS.setdefault(str(engine.url), threading.RLock())
        engine.__dict__["_ivig_writer_lock"] = lock
    return lock


class _Parked:
    """The idle writer connection of one SQLite engine, between units of work."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # `dispose` may come from another thread
        self._connection: Connection | None = None
        self._pid = os.getpid()

    def take(self) -> Connection | None:
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is None or self._pid != os.getpid():
            return None  # a forked child never uses its parent's SQLite connection
        if connection.closed or connection.invalidated:
            return None
        return connection

    def park(self, connection: Connection) -> bool:
        with self._lock:
            if self._connection is not None or self._pid != os.getpid():
                return False
            self._connection = connection
            return True

    def close(self, _engine: Engine | None = None) -> None:
        connection = self.take()
        if connection is not None:
            # Closed for good: checked in, it would wait open in the pool just disposed.
            connection.detach()
            connection.close()


def _parked(engine: Engine) -> _Parked:
    parked: _Parked | None = engine.__dict__.get("_ivig_parked_writer")
    if parked is None:
        with _REGISTRY:
            parked = engine.__dict__.get("_ivig_parked_writer")
            if parked is None:
                parked = _Parked()
                # Disposing the engine closes the pool's connections; this one too (a
                # file system is remounted, a file replaced, only with none left open).
                event.listen(engine, "engine_disposed", parked.close)
                engine.__dict__["_ivig_parked_writer"] = parked
    return parked


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._writer = writer_engine(engine)
        self._engine = engine
        self.dialect = engine.dialect.name
        self._lock = _writer_lock(engine)
        self._parked = _parked(engine) if self._lock is not None else None
        self._cache = course_cache(engine)
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        connection: Connection | None = None
        try:
            # Connects and begins: the first place a dead database shows.
            if self._parked is not None:
                connection = self._parked.take()
            if connection is None:
                connection = self._writer.connect()
            connection.begin()
            self.connection = connection
            self.courses = CourseStore(
                connection, locking=self.dialect == "postgresql", cache=self._cache
            )
        except BaseException:
            # The database refused (unreachable, read-only file system): __exit__ will
            # not run, and the lock must not stay held, or every later writer hangs.
            try:
                if connection is not None:
                    connection.close()
            finally:
                if self._lock is not None:
                    self._lock.release()
            raise
        return self

    @property
    def session(self) -> Session:
        """An ORM session in this unit of work's transaction, made on first use."""
        if self._session is None:
            self._session = session_on(self.connection)
        return self._session

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            connection = self.connection
            if self._session is not None:
                self._session.close()  # rolls back what it began and did not commit
            elif (
                kind is None
                and self._parked is not None
                and not connection.in_transaction()
                and not connection.invalidated
                and self._parked.park(connection)
            ):
                return  # committed or rolled back: kept, under the lock, for the next
            connection.close()  # rolls back what is still open
        finally:
            self._session = None
            if self._lock is not None:
                self._lock.release()

    def commit(self) -> None:
        self.courses.write_pending()
        if self._session is not None:
            self._session.commit()  # flushes its objects, commits the transaction
        else:
            self.connection.commit()
        self.courses.committed()
        note_write(self._engine)  # a committed write: the database works (again)

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        else:
            self.connection.rollback()


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session for views and lists."""
    with session_factory(engine)() as session:
        yield session
