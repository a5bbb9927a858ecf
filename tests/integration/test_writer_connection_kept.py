"""SQLite's writer connection is kept between units of work (issue 14: checking it out
of the pool and back in cost ~30 us of every one-event transaction), but only one
that ended cleanly, and never past `Engine.dispose`: an operator remounts a file
system or replaces a file only once no connection holds it open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ivig_workflow.db.engine import make_engine, upgrade
from ivig_workflow.service.unit_of_work import UnitOfWork


def _open_files(folder: Path) -> list[str]:
    fds = Path(f"/proc/{os.getpid()}/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'ivig.sqlite3'}")
    upgrade(engine)
    engine.dispose()
    return engine


def test_a_clean_unit_of_work_leaves_its_connection_to_the_next(sqlite_engine: Engine) -> None:
    with UnitOfWork(sqlite_engine) as uow:
        first = uow.connection
        uow.commit()
    with UnitOfWork(sqlite_engine) as uow:
        assert uow.connection is first
        uow.rollback()
    with UnitOfWork(sqlite_engine) as uow:
        assert uow.connection is first
        # The transaction is new: what the last one rolled back is not there.
        assert uow.connection.execute(text("SELECT 1")).scalar() == 1
        uow.commit()
    sqlite_engine.dispose()


def test_a_failed_or_unfinished_unit_of_work_closes_its_connection(
    sqlite_engine: Engine,
) -> None:
    with pytest.raises(ValueError), UnitOfWork(sqlite_engine) as uow:
        failed = uow.connection
        raise ValueError("a decision that could not be written")
    assert failed.closed
    with UnitOfWork(sqlite_engine) as uow:
        assert uow.connection is not failed
        unfinished = uow.connection  # neither committed nor rolled back
    assert unfinished.closed
    with UnitOfWork(sqlite_engine) as uow:
        uow.session  # noqa: B018 -- an ORM session on the connection
        with_session = uow.connection
        uow.commit()
    assert with_session.closed
    sqlite_engine.dispose()


def test_dispose_leaves_no_file_open(sqlite_engine: Engine, tmp_path: Path) -> None:
    with UnitOfWork(sqlite_engine) as uow:
        uow.commit()
    assert _open_files(tmp_path)  # kept open for the next unit of work
    sqlite_engine.dispose()
    assert _open_files(tmp_path) == []
    with UnitOfWork(sqlite_engine) as uow:  # and the engine still works after it
        uow.commit()
    sqlite_engine.dispose()
    assert _open_files(tmp_path) == []
