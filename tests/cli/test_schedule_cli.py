"""`ivig schedule plan` and `ivig schedule show`: JSON shapes, the chair board at 80
columns, and bad input named (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from typer.testing import CliRunner

from ivig_workflow import settings
from ivig_workflow.cli.main import app
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook

runner = CliRunner()
MONDAY = date(2026, 3, 2)
PLAN_KEYS = {
    "centre",
    "from",
    "to",
    "bookings",
    "moved",
    "unplaced",
    "utilisation",
    "solver",
    "seconds",
}


def enrol(engine: Engine, count: int) -> None:
    rulebook = load_rulebook()
    for n in range(count):
        start_course(
            StartCourse(
                patient_ref=f"PSN-{n:04d}",
                indication="dermatomyositis",
                start_date=MONDAY + timedelta(days=n % 4),
                weight_kg=60 + n,
            ),
            engine=engine,
            rulebook=rulebook,
            now=datetime(2026, 2, 16, tzinfo=UTC),
        )


def ivig(url: str, *args: str, columns: int = 80) -> tuple[int, str, str]:
    env = {
        "IVIG_DATABASE_URL": url,
        "COLUMNS": str(columns),
        "IVIG_CONFIG_DIR": str(settings.REPO_ROOT / "config"),
    }
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_plan_and_show_answer_in_json(engine: Engine, database_url: str) -> None:
    enrol(engine, 6)
    code, out, _ = ivig(
        database_url,
        "schedule",
        "plan",
        "--centre",
        "main",
        "--from",
        "2026-03-02",
        "--weeks",
        "3",
        "--now",
        "2026-03-02T06:00:00+00:00",
        "--json",
    )
    assert code == 0, out
    plan = json.loads(out)
    assert set(plan) == PLAN_KEYS
    assert (plan["centre"], plan["from"], plan["to"]) == ("main", "2026-03-02", "2026-03-22")
    assert plan["bookings"] > 0 and plan["unplaced"] == []
    code, out, _ = ivig(
        database_url,
        "schedule",
        "show",
        "--centre",
        "main",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-08",
        "--json",
    )
    shown = json.loads(out)
    assert set(shown) == {"bookings", "capacity"}
    assert {"course_id", "cycle", "day", "date", "chair", "start", "end"} == set(
        shown["bookings"][0]
    )
    assert len(shown["capacity"]) == 7
    assert set(shown["capacity"]["2026-03-02"]) == {"chairs", "chair_minutes", "booked_minutes"}
    booked = sum(c["booked_minutes"] for c in shown["capacity"].values())
    assert booked > 0


def test_the_chair_board_reads_in_80_columns(engine: Engine, database_url: str) -> None:
    enrol(engine, 6)
    assert (
        ivig(
            database_url,
            "schedule",
            "plan",
            "--from",
            "2026-03-02",
            "--weeks",
            "2",
            "--now",
            "2026-03-02T06:00:00+00:00",
        )[0]
        == 0
    )
    code, out, _ = ivig(
        database_url, "schedule", "show", "--from", "2026-03-02", "--to", "2026-03-06"
    )
    assert code == 0
    assert not [line for line in out.splitlines() if len(line) > 80]
    assert "…" not in out
    assert "┃ chair ┃ 08" in out and "2026-03-02" in out and "%" in out


def test_bad_dates_are_named(database_url: str) -> None:
    code, _, err = ivig(
        database_url, "schedule", "show", "--from", "2026-03-08", "--to", "2026-03-02"
    )
    assert code == 2 and "--to: must not be before --from" in err
    code, _, err = ivig(database_url, "schedule", "plan", "--from", "March")
    assert code == 2 and "--from: expected a date YYYY-MM-DD" in err
    code, _, err = ivig(database_url, "schedule", "plan", "--centre", "paris")
    assert code == 2 and "unknown centre" in err
