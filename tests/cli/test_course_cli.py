"""Issue 3's "Done when", on the command line, on SQLite and PostgreSQL.

A dermatomyositis course started with `ivig course start` goes through six cycles,
the review, the extension to 6 weeks, the washout after cycle 12, a relapse and a
new series, every step visible in `ivig course show --json`; a resent event
answers `duplicate` and changes nothing. The bulk runs through typer's CliRunner;
the first and last commands and the duplicate run as real `ivig` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from ivig_workflow.cli.main import app

BERLIN = ZoneInfo("Europe/Berlin")
IVIG = str(Path(sys.executable).with_name("ivig"))
runner = CliRunner()


class Cli:
    def __init__(self, url: str) -> None:
        self.env = {**os.environ, "IVIG_DATABASE_URL": url}
        self.sent = 0

    def run(self, *args: str, code: int = 0) -> Any:
        """In process, for speed."""
        result = runner.invoke(
            app, [*args, "--json"], env={"IVIG_DATABASE_URL": self.env["IVIG_DATABASE_URL"]}
        )
        assert result.exit_code == code, (args, result.output)
        return json.loads(result.stdout)

    def process(self, *args: str, code: int = 0) -> Any:
        """A real `ivig` process, as an operator would run it."""
        done = subprocess.run(
            [IVIG, *args, "--json"], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == code, (args, done.stderr)
        return json.loads(done.stdout)

    def show(self, course_id: str) -> dict[str, Any]:
        view: dict[str, Any] = self.run("course", "show", course_id)
        return view

    def event(self, course_id: str, kind: str, at: datetime, data: dict[str, Any] | None) -> Any:
        self.sent += 1
        args = ["event", kind, "--course", course_id, "--key", f"k-{self.sent}"]
        args += ["--at", at.isoformat(), "--now", (at + timedelta(minutes=5)).isoformat()]
        if data is not None:
            args += ["--data", json.dumps(data)]
        return self.run(*args)

    def cycle(self, course_id: str) -> dict[str, Any]:
        """Tick on the release morning of the next planned cycle, then give its days."""
        planned = next(c for c in self.show(course_id)["cycles"] if c["status"] == "planned")
        release = datetime.combine(
            date.fromisoformat(planned["planned_start"]) - timedelta(days=7), time(6), BERLIN
        )
        self.run("tick", "--now", release.isoformat())
        for day, when in enumerate(planned["planned_dates"], start=1):
            data = {
                "cycle": planned["number"],
                "day": day,
                "dose_g": planned["doses_g"][day - 1],
                "product": planned["product"],
                "lot_numbers": [f"L{planned['number']}"],
            }
            at = datetime.combine(date.fromisoformat(when), time(10), BERLIN)
            assert self.event(course_id, "infusion.administered", at, data)["status"] == "applied"
        return self.show(course_id)


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)


def test_dermatomyositis_course_on_the_command_line(cli: Cli) -> None:
    started = cli.process(
        "course",
        "start",
        "--patient",
        "PSN-CLI-1",
        "--indication",
        "dermatomyositis",
        "--weight-kg",
        "72",
        "--start-date",
        "2026-01-12",
        "--course-id",
        "dm-cli",
        "--now",
        "2026-01-02T09:00:00+00:00",
    )
    assert (started["state"], started["patient_ref"]) == ("initiation", "PSN-CLI-1")
    for number in range(1, 7):
        view = cli.cycle("dm-cli")
        assert view["cycles_completed"] == number
    assert view["state"] == "response_review"
    assert "assess_response" in {task["kind"] for task in view["open_tasks"]}
    tasks = cli.run("tasks", "--course", "dm-cli", "--status", "open")
    assert "assess_response" in {task["kind"] for task in tasks}

    review_at = datetime(2026, 6, 20, 11, tzinfo=BERLIN)
    answer = cli.event("dm-cli", "response.assessed", review_at, {"outcome": "good"})
    assert (answer["status"], answer["state"]) == ("applied", "interval_extension")
    intervals = []
    for _ in range(6):
        view = cli.cycle("dm-cli")
        intervals.append(view["interval_weeks"])
    assert intervals == [6, 6, 6, 6, 6, 6]
    assert (view["state"], view["cycles_completed"]) == ("washout", 12)

    relapse = cli.event("dm-cli", "relapse.reported", datetime(2027, 2, 1, 9, tzinfo=BERLIN), None)
    assert (relapse["status"], relapse["state"]) == ("applied", "active")
    view = cli.cycle("dm-cli")
    assert (view["state"], view["series"], view["interval_weeks"]) == ("active", 2, 4)
    assert [c["series"] for c in view["cycles"]][-2:] == [2, 2]

    shown = cli.process("course", "show", "dm-cli")
    history = [(h["from"], h["to"], h["event_type"]) for h in shown["history"]]
    for step in [
        (None, "initiation", "start"),
        ("initiation", "active", "infusion.administered"),
        ("active", "response_review", "infusion.administered"),
        ("response_review", "interval_extension", "response.assessed"),
        ("interval_extension", "washout", "infusion.administered"),
        ("washout", "active", "relapse.reported"),
    ]:
        assert step in history
    assert all({"from", "to", "event_type", "key", "at"} <= set(h) for h in shown["history"])
    assert [c["status"] for c in shown["cycles"]][:13] == ["completed"] * 13
    listed = cli.run("course", "list", "--state", "active")
    assert [c["course_id"] for c in listed] == ["dm-cli"]


def test_a_resent_event_answers_duplicate_and_changes_nothing(cli: Cli) -> None:
    cli.run(
        "course",
        "start",
        "--patient",
        "PSN-CLI-2",
        "--indication",
        "dermatomyositis",
        "--weight-kg",
        "60",
        "--start-date",
        "2026-01-12",
        "--course-id",
        "dm-dup",
        "--now",
        "2026-01-02T09:00:00+00:00",
    )
    cli.run("tick", "--now", "2026-01-05T06:00:00+01:00")
    cycle = cli.show("dm-dup")["cycles"][0]
    data = json.dumps(
        {
            "cycle": 1,
            "day": 1,
            "dose_g": cycle["doses_g"][0],
            "product": cycle["product"],
            "lot_numbers": ["A1"],
        }
    )
    args = [
        "event",
        "infusion.administered",
        "--course",
        "dm-dup",
        "--key",
        "ward-77",
        "--at",
        "2026-01-12T10:00:00+01:00",
        "--now",
        "2026-01-12T10:05:00+01:00",
        "--data",
        data,
    ]
    assert cli.run(*args)["status"] == "applied"
    before = cli.show("dm-dup")
    again = cli.process(*args)
    assert (again["status"], again["first_status"], again["state"]) == (
        "duplicate",
        "applied",
        "active",
    )
    assert cli.show("dm-dup") == before
