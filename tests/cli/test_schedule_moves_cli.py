"""`ivig schedule plan` records each cycle it moves as a step of the course (SQLite
and PostgreSQL): the JSON's `moved` and the transition log agree, and people read
each move with its reason."""

from __future__ import annotations

import json
import re

from sqlalchemy import Engine, select
from sqlmodel import col

from ivig_workflow.db.tables import TransitionLogRow
from ivig_workflow.service.unit_of_work import reading
from tests.cli.test_schedule_cli import ivig
from tests.integration.test_chair_bookings import enrol

PLAN = ("schedule", "plan", "--centre", "main", "--from", "2026-03-02", "--weeks", "4")
NOW = ("--now", "2026-03-02T06:00:00+00:00")


def logged_moves(engine: Engine) -> set[tuple[str, str | None]]:
    with reading(engine) as session:
        rows = session.scalars(
            select(TransitionLogRow).where(col(TransitionLogRow.trigger) == "cycle.rescheduled")
        ).all()
    return {(row.course_id, row.actor) for row in rows}


def test_the_cli_plan_moves_cycles_as_steps_of_their_courses(
    engine: Engine, database_url: str
) -> None:
    enrol(engine, 24, spread=1)  # two dozen starts on one Monday
    code, out, _ = ivig(database_url, *PLAN, *NOW, "--json")
    assert code == 0, out
    first = json.loads(out)
    moved = first["moved"]
    assert moved and {"days", "target", "reason"} <= set(moved[0])
    assert logged_moves(engine) == {(m["course_id"], "scheduler") for m in moved}
    code, out, _ = ivig(database_url, *PLAN, *NOW, "--json")
    assert code == 0, out
    again = json.loads(out)["moved"]
    # Every move of either plan is logged once, whatever the second one chose.
    assert len(logged_moves(engine)) == len({m["course_id"] for m in moved + again})
    if first["solver"] == "optimal":
        # From an optimal plan nothing gains enough to move again. A first plan the
        # solver's wall-clock budget cut short ("feasible", on a loaded machine) may
        # still be improved by the second.
        assert again == []
    code, out, _ = ivig(database_url, *PLAN, *NOW)
    assert code == 0 and re.search(r"\d+ bookings, \d+ cycles moved, \d+ unplaced", out), out
