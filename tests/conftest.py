"""Shared fixtures: a migrated database on SQLite and on PostgreSQL.

`database_url` runs a test once per backend. The PostgreSQL run gets a fresh
database of its own on the server at IVIG_TEST_POSTGRES_URL (started by
scripts/with-postgres.sh), dropped afterwards; without that server the run is
skipped with the reason, unless IVIG_REQUIRE_POSTGRES=1 makes it fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from ivig_workflow.db.engine import make_engine, upgrade

POSTGRES_URL_VARIABLE = "IVIG_TEST_POSTGRES_URL"


def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    reason = f"{POSTGRES_URL_VARIABLE} is not set (run the tests via scripts/with-postgres.sh)"
    if os.environ.get("IVIG_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"IVIG_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _fresh_postgres_database() -> Iterator[str]:
    server = make_url(_postgres_server_url()).set(drivername="postgresql+psycopg")
    name = f"ivig_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            # FORCE: a test that failed midway may still hold a connection.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'ivig.sqlite3'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    migrated = make_engine(database_url)
    upgrade(migrated)
    yield migrated
    migrated.dispose()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test harness (a real local server) for the whole session.

    Started only by the tests that ask for it; generous start-up time because the
    harness launches a server process, slower on a busy two-core machine.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
