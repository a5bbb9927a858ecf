"""Engines, sessions and the schema's migration to head, on SQLite or PostgreSQL.

SQLite is the embedded default: WAL so that readers never block the writer, foreign
keys on (SQLite ignores them otherwise), a busy timeout so that a second process
waits instead of failing, and transactions begun by us rather than by the pysqlite
driver, so that a writer can take the lock up front with BEGIN IMMEDIATE instead of
failing on lock upgrade halfway through a unit of work.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from ivig_workflow import settings
from ivig_workflow.domain.errors import InputError

# The checkout's state/migrations, or the copy inside an installed wheel; never from
# IVIG_STATE_DIR: runtime files may live elsewhere, the schema history may not.
MIGRATIONS_DIR = settings.migrations_dir()
BUSY_TIMEOUT_MS = 5000
# Execution option a writer sets to take SQLite's write lock when it begins.
BEGIN_IMMEDIATE = "ivig_begin_immediate"


SYNCHRONOUS_MODES = ("FULL", "NORMAL", "EXTRA")


def IVIG_SQLITE_SYNCHRONOUS() -> str:
    """FULL by default: a commit is on disk before the ward hears 201, so an accepted event
    survives a power cut. NORMAL (faster; the last commits may be lost on power loss,
    never corrupted) only when an operator asks for it."""
    mode = (settings.get_settings().sqlite_synchronous or "FULL").strip().upper() or "FULL"
    if mode not in SYNCHRONOUS_MODES:
        rule = f"must be one of {', '.join(SYNCHRONOUS_MODES)}"
        raise InputError("IVIG_SQLITE_SYNCHRONOUS", rule)
    return mode


def make_engine(url: str | None = None) -> Engine:
    url = url or settings.database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError("database url", f"cannot parse {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url=parsed.render_as_string(hide_password=False))
    if parsed.drivername != "postgresql+psycopg":
        raise InputError("database url", "must be sqlite:/// or postgresql(+psycopg)://")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from issuing its own BEGIN; "begin" below does it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            f"synchronous={IVIG_SQLITE_SYNCHRONOUS()}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # Straight to the driver: every unit of work begins, and a statement through
        # SQLAlchemy's execution machinery cost ~20 µs around SQLite's ~2. A refusal
        # (busy, read-only) is raised as SQLAlchemy would, so callers tell them apart.
        try:
            driver: Any = connection.connection.driver_connection
            driver.execute(statement)
        except BaseException as error:
            connection._handle_dbapi_exception(error, statement, (), None, None)

    return engine


def session_factory(engine: Engine, *, writer: bool = False) -> sessionmaker[Session]:
    """Sessions for readers, or for writers that lock SQLite when they begin.

    The option is ignored by PostgreSQL, where optimistic locking on the course's
    version column (and FOR UPDATE where a worker claims work) does the job.
    """
    # Kept on the engine: a new sessionmaker per unit of work cost ~0.4 ms (SQLAlchemy
    # sets up events for each), paid by every ward event, sweep batch and view.
    made: dict[bool, sessionmaker[Session]] = engine.__dict__.setdefault("_ivig_sessions", {})
    if writer not in made:
        bind = engine.execution_options(**{BEGIN_IMMEDIATE: True}) if writer else engine
        made[writer] = sessionmaker(bind=bind, class_=Session, expire_on_commit=False)
    return made[writer]


def writer_engine(engine: Engine) -> Engine:
    """The engine whose connections take SQLite's write lock when they begin (kept)."""
    writer: Engine | None = engine.__dict__.get("_ivig_writer")
    if writer is None:
        writer = engine.execution_options(**{BEGIN_IMMEDIATE: True})
        engine.__dict__["_ivig_writer"] = writer
    return writer


# A session on a connection in a transaction takes that transaction as its own: its
# commit commits it, its rollback and close roll it back (as a session on the engine).
_ON_CONNECTION = sessionmaker(
    class_=Session, expire_on_commit=False, join_transaction_mode="control_fully"
)


def session_on(connection: Connection) -> Session:
    return _ON_CONNECTION(bind=connection)


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_is_current(engine: Engine) -> bool:
    """For a readiness probe: the database is at the head the code expects."""
    return current_revision(engine) == head_revision()


def upgrade(engine: Engine) -> str:
    """Migrate to head in one transaction; return the revision reached.

    On SQLite the transaction takes the write lock first, so that two processes
    migrating a fresh file at once serialise and the second finds nothing to do.
    """
    with engine.execution_options(**{BEGIN_IMMEDIATE: True}).begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    revision = current_revision(engine)
    assert revision is not None
    return revision


def check(engine: Engine) -> None:
    """Raise alembic's AutoGenerateDiffsDetected if tables.py and the migrations differ."""
    with engine.connect() as connection:
        command.check(_alembic_config(connection))


class SchemaOutdated(InputError):
    def __init__(self, current: str | None, head: str) -> None:
        at = current or "nothing"
        super().__init__("database", f"schema is at {at}, code needs {head}: run `ivig db upgrade`")


def ensure_schema(url: str | None = None) -> Engine:
    """The engine a command uses, its database migrated when it is embedded.

    An embedded SQLite file is migrated on first use. A PostgreSQL database is only
    migrated while empty; a server behind the code is an operator's decision
    (`ivig db upgrade`), never a side effect of a command.
    """
    engine = make_engine(url)
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return engine
    if engine.dialect.name == "sqlite" or current is None:
        upgrade(engine)
        return engine
    engine.dispose()
    raise SchemaOutdated(current, head)


@cache
def _shared_engine(url: str) -> Engine:
    return ensure_schema(url)


def shared_engine(url: str | None = None) -> Engine:
    """One engine per database URL for the whole process: flows and the clock fire
    again and again in one process, so engines are kept instead of opened per run."""
    return _shared_engine(url or settings.database_url())
