"""Durability: SQLite commits are FULL-synchronous unless asked otherwise; a live database
backs up and restores to the same courses; a WAL that stops checkpointing raises an
operator work item; old hospital messages are purged."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from ivig_workflow.cli.main import app
from ivig_workflow.db.engine import make_engine
from ivig_workflow.db.tables import ReceivedMessageRow, WorkItemRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.housekeeping import WAL_ALARM_KIND, Housekeeping, checkpoint
from ivig_workflow.service.received_messages import keep_message, purge_messages
from ivig_workflow.service.unit_of_work import reading

IVIG = str(Path(sys.executable).with_name("ivig"))
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
runner = CliRunner()


@pytest.mark.parametrize(("variable", "pragma"), [(None, 2), ("NORMAL", 1), ("full", 2)])
def test_sqlite_is_full_synchronous_unless_normal_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str | None, pragma: int
) -> None:
    if variable is None:
        monkeypatch.delenv("IVIG_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("IVIG_SQLITE_SYNCHRONOUS", variable)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    engine.dispose()


def test_an_unknown_synchronous_mode_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_SQLITE_SYNCHRONOUS", "OFF")
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(InputError, match="IVIG_SQLITE_SYNCHRONOUS: must be one of FULL"):
        engine.connect()


def _ivig(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([IVIG, *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_live_database_backs_up_and_restores_to_the_same_courses(tmp_path: Path) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    env = {**os.environ, "IVIG_STATE_DIR": str(live)}
    env.pop("IVIG_DATABASE_URL", None)
    ids = []
    for n in range(2):
        started = _ivig(
            env,
            "course",
            "start",
            "--patient",
            f"PSN-{n}",
            "--indication",
            "dermatomyositis",
            "--start-date",
            "2026-03-09",
            "--backfill",
            "--weight-kg",
            "70",
            "--json",
        )
        assert started.returncode == 0, started.stderr
        ids.append(json.loads(started.stdout)["course_id"])
    # Live: another connection holds a read transaction, so the last commits are still
    # only in the WAL (no checkpoint can pass the reader) when the backup runs.
    reader = sqlite3.connect(live / "ivig.sqlite3")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM courses").fetchone()
    extra = _ivig(
        env,
        "course",
        "start",
        "--patient",
        "PSN-9",
        "--indication",
        "dermatomyositis",
        "--start-date",
        "2026-03-09",
        "--backfill",
        "--weight-kg",
        "81",
        "--json",
    )
    assert extra.returncode == 0, extra.stderr
    ids.append(json.loads(extra.stdout)["course_id"])
    assert (live / "ivig.sqlite3-wal").stat().st_size > 0
    done = _ivig(env, "db", "backup", str(tmp_path / "copy.sqlite3"))
    reader.close()
    assert done.returncode == 0, done.stderr
    assert "backed up to" in done.stdout
    again = _ivig(env, "db", "backup", str(tmp_path / "copy.sqlite3"))
    assert again.returncode == 2 and "exists already" in again.stderr

    restored.mkdir()
    (tmp_path / "copy.sqlite3").rename(restored / "ivig.sqlite3")
    env_restored = {**env, "IVIG_STATE_DIR": str(restored)}
    for course_id in ids:
        before = _ivig(env, "course", "show", course_id, "--json")
        after = _ivig(env_restored, "course", "show", course_id, "--json")
        assert after.returncode == 0, after.stderr
        assert json.loads(after.stdout) == json.loads(before.stdout)


def test_postgres_backup_names_pg_dump_in_one_line() -> None:
    url = "postgresql+psycopg://ivig:secret@db.example:5432/ivig"
    result = runner.invoke(app, ["db", "backup", "/tmp/x.dump", "--url", url])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: backup: PostgreSQL is backed up with pg_dump: pg_dump ")
    assert "db.example:5432/ivig" in line and "secret" not in line


def test_a_wal_that_stops_checkpointing_raises_one_operator_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_WAL_STUCK_MINUTES", "30")
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    engine = make_engine(url)
    housekeeping = Housekeeping()
    assert "wal_alarm" not in housekeeping.run(engine, NOW)  # all checkpointed: nothing to say
    # A reader that never lets go: every later commit stays in the WAL.
    reader = sqlite3.connect(tmp_path / "ivig.sqlite3")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM courses").fetchone()
    keep_message(
        "x", format="fhir", outcome="invalid", reason=None, engine=engine, now=NOW, sender=None
    )
    state = checkpoint(engine)
    assert state is not None and state.pages_left > 0
    assert "wal_alarm" not in housekeeping.run(engine, NOW + timedelta(minutes=10))
    assert "wal_alarm" in housekeeping.run(engine, NOW + timedelta(minutes=45))
    assert "wal_alarm" in housekeeping.run(engine, NOW + timedelta(minutes=50))  # same day
    reader.close()
    with reading(engine) as session:
        items = session.scalars(
            select(WorkItemRow).where(col(WorkItemRow.kind) == WAL_ALARM_KIND)
        ).all()
    assert len(items) == 1 and items[0].role == "operator"
    assert "checkpoints fail" in items[0].title
    assert housekeeping.run(engine, NOW + timedelta(minutes=55)).get("wal_alarm") is None
    assert housekeeping.stuck_since is None  # the reader went, the checkpoint caught up
    engine.dispose()


def test_a_wal_over_the_size_threshold_raises_an_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_WAL_ALARM_MB", "1")
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    engine = make_engine(url)
    reader = sqlite3.connect(tmp_path / "ivig.sqlite3")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM courses").fetchone()
    keep_message(
        "y" * (2 * 1024 * 1024),
        format="fhir",
        outcome="invalid",
        reason=None,
        engine=engine,
        now=NOW,
        sender=None,
    )
    assert "wal_alarm" in Housekeeping().run(engine, NOW)
    reader.close()
    engine.dispose()


def test_received_messages_are_purged_after_the_retention(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for age in (1, 89, 91, 400):
        keep_message(
            f"m{age}",
            format="fhir",
            outcome="accepted",
            reason=None,
            engine=engine,
            now=NOW - timedelta(days=age),
            sender="ward-a",
        )
    monkeypatch.delenv("IVIG_MESSAGE_RETENTION_DAYS", raising=False)
    assert purge_messages(engine, now=NOW) == 2
    monkeypatch.setenv("IVIG_MESSAGE_RETENTION_DAYS", "30")
    assert Housekeeping().run(engine, NOW)["messages_purged"] == 1
    result = runner.invoke(app, ["db", "purge-messages", "--days", "1", "--url", database_url])
    assert result.exit_code == 0, result.output
    with reading(engine) as session:
        assert session.scalars(select(ReceivedMessageRow)).all() == []
    monkeypatch.setenv("IVIG_MESSAGE_RETENTION_DAYS", "0")
    with pytest.raises(InputError, match="IVIG_MESSAGE_RETENTION_DAYS: must be a whole number"):
        purge_messages(engine, now=NOW)


def test_the_dispatch_job_purges_old_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivig_workflow.orchestrator import jobs
    from ivig_workflow.service import housekeeping

    monkeypatch.setenv("IVIG_STATE_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    engine = make_engine(url)
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    now = datetime.now(UTC)
    for age in (1, 200):
        keep_message(
            f"m{age}",
            format="hl7v2",
            outcome="accepted",
            reason=None,
            engine=engine,
            now=now - timedelta(days=age),
            sender=None,
        )
    monkeypatch.setattr(jobs, "RUNTIME", jobs.Runtime(database_url=url))
    monkeypatch.setattr(housekeeping, "HOUSEKEEPING", housekeeping.Housekeeping())
    monkeypatch.setattr(jobs, "HOUSEKEEPING", housekeeping.HOUSEKEEPING)
    jobs.run_job("dispatch")
    with reading(engine) as session:
        assert [m.raw for m in session.scalars(select(ReceivedMessageRow))] == ["m1"]
    engine.dispose()
