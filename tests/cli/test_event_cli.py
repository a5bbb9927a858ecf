"""`ivig event --now`: the received instant, on SQLite and PostgreSQL.

Issue 11's fresh-database scenario: a course started, no sweep ever run, and cycle 1
given on its planned day. The event catches the course up to its own instant and is
applied, whatever the clock of the machine says.
"""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from ivig_workflow.cli.main import app

runner = CliRunner()


def run(url: str, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--json"], env={"IVIG_DATABASE_URL": url})
    assert result.exit_code == code, (args, result.output)
    return json.loads(result.stdout)


def start(url: str, course_id: str) -> dict[str, Any]:
    run(
        url,
        "course",
        "start",
        "--patient",
        "PSN-EV-1",
        "--indication",
        "dermatomyositis",
        "--weight-kg",
        "70",
        "--start-date",
        "2026-01-12",
        "--course-id",
        course_id,
        "--now",
        "2026-01-02T09:00:00+00:00",
    )
    view: dict[str, Any] = run(url, "course", "show", course_id)
    return view


def infusion(course_id: str, cycle: dict[str, Any], *, at: str, now: str) -> list[str]:
    data = {
        "cycle": 1,
        "day": 1,
        "dose_g": cycle["doses_g"][0],
        "product": cycle["product"],
        "lot_numbers": ["A1"],
    }
    return [
        "event",
        "infusion.administered",
        "--course",
        course_id,
        "--key",
        f"{course_id}-1",
        "--at",
        at,
        "--now",
        now,
        "--data",
        json.dumps(data),
    ]


def test_cycle_1_on_its_planned_day_applies_on_a_fresh_database(database_url: str) -> None:
    cycle = start(database_url, "ev-fresh")["cycles"][0]
    assert cycle["status"] == "planned"  # no sweep has run
    answer = run(
        database_url,
        *infusion(
            "ev-fresh", cycle, at="2026-01-12T10:00:00+01:00", now="2026-01-12T10:05:00+01:00"
        ),
    )
    assert (answer["status"], answer["state"]) == ("applied", "active")
    assert [t["rule"] for t in answer["transitions"]] == ["cycle.released", "course.first_infusion"]
    shown = run(database_url, "course", "show", "ev-fresh")
    assert shown["cycles"][0]["status"] == "in_progress"
    assert {"book_chairs", "prepare_product"} <= {t["kind"] for t in shown["open_tasks"]}
    assert [h["rule"] for h in shown["history"]] == [
        "course.started",
        "cycle.released",
        "course.first_infusion",
    ]


def test_now_must_be_an_instant_with_an_offset(database_url: str) -> None:
    cycle = start(database_url, "ev-naive")["cycles"][0]
    args = infusion("ev-naive", cycle, at="2026-01-12T10:00:00+01:00", now="2026-01-12T10:05")
    result = runner.invoke(app, args, env={"IVIG_DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert "--now" in result.output and "time zone" in result.output


def test_a_deviation_is_answered_and_shown_by_course_show(database_url: str) -> None:
    cycle = start(database_url, "ev-dev")["cycles"][0]
    args = infusion(
        "ev-dev", cycle, at="2026-01-12T10:00:00+01:00", now="2026-01-12T10:05:00+01:00"
    )
    at = args.index("--data") + 1
    half = round(cycle["doses_g"][0] * 0.5, 1)
    args[at] = json.dumps({**json.loads(args[at]), "dose_g": half})
    answer = run(database_url, *args)
    assert answer["status"] == "applied"
    assert [d["kind"] for d in answer["deviations"]] == ["dose_off_plan"]
    shown = run(database_url, "course", "show", "ev-dev")
    [listed] = shown["deviations"]
    assert (listed["cycle"], listed["kind"], listed["acknowledged"]) == (1, "dose_off_plan", False)
    text = runner.invoke(
        app,
        [
            "event",
            "deviation.acknowledged",
            "--course",
            "ev-dev",
            "--key",
            "ack-1",
            "--at",
            "2026-01-12T12:00:00+01:00",
            "--now",
            "2026-01-12T12:00:00+01:00",
            "--sender",
            "dr-b",
            "--data",
            json.dumps({"cycle": 1, "kind": "dose_off_plan"}),
        ],
        env={"IVIG_DATABASE_URL": database_url},
    )
    assert text.exit_code == 0 and text.output.startswith("applied"), text.output
    [listed] = run(database_url, "course", "show", "ev-dev")["deviations"]
    assert (listed["acknowledged"], listed["acknowledged_by"]) == (True, "dr-b")


def test_an_event_dated_ahead_of_now_is_refused(database_url: str) -> None:
    cycle = start(database_url, "ev-ahead")["cycles"][0]
    args = infusion(
        "ev-ahead", cycle, at="2026-01-12T10:00:00+01:00", now="2026-01-12T09:30:00+01:00"
    )
    answer = run(database_url, *args, code=1)
    assert (answer["status"], answer["rule"]) == ("refused", "event.in_future")
