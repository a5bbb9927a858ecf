"""The chairs of one centre on the dashboard: today's chair board and the week's load.

`worklist-<centre>-chairs-today` (a table: one row per chair, one column per hour),
`worklist-<centre>-chairs-week` (a table: booked and available chair-minutes per
date) and `worklist-<centre>-chairs-load` (markdown: the week as bars of Unicode
blocks, readable at a glance). Course ids only, never a patient.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from prefect import task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from flows.naming import artifact_key
from flows.resources import engine, rulebook
from ivig_workflow.domain.centre import WEEKDAYS
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.views import chair_board, load_chart, schedule_view


@task(name="plan-chairs")
def plan_chairs(centre: str, at: datetime, database_url: str | None) -> dict[str, Any]:
    """The daily re-plan: bookings in the freeze window stay, the rest follow the plan."""
    answer = plan_centre(engine(database_url), rulebook(), centre, now=at).as_json()
    return {key: value for key, value in answer.items() if not isinstance(value, list)}


@task(name="read-chairs")
def read_chairs(centre: str, today: date, database_url: str | None) -> dict[str, Any]:
    return schedule_view(engine(database_url), rulebook(), centre, today, today + timedelta(days=6))


def week_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "date": day,
            "chairs": facts["chairs"],
            "chair_minutes": facts["chair_minutes"],
            "booked_minutes": facts["booked_minutes"],
            "booked": f"{facts['booked_minutes'] / facts['chair_minutes']:.0%}"
            if facts["chair_minutes"]
            else "closed",
        }
        for day, facts in view["capacity"].items()
    ]


def board_rows(view: dict[str, Any], centre: str, today: date) -> list[dict[str, str]]:
    facts = view["capacity"][today.isoformat()]
    if not facts["chairs"]:
        return [{"note": f"closed on {today.isoformat()}"}]
    hours = rulebook().centres.capacity(centre).hours_on(WEEKDAYS[today.weekday()])
    opens, closes = hours or (8 * 60, 18 * 60)
    return chair_board(
        view["bookings"], today.isoformat(), facts["chairs"], opens // 60, -(-closes // 60)
    )


async def publish(slug: str, today: date, view: dict[str, Any]) -> None:
    await acreate_table_artifact(
        board_rows(view, slug, today),
        key=artifact_key("worklist", slug, "chairs-today"),
        description=f"chairs at {slug} on {today.isoformat()} by hour (course ids; · free)",
    )
    await acreate_table_artifact(
        week_rows(view),
        key=artifact_key("worklist", slug, "chairs-week"),
        description=f"chair-minutes booked at {slug}, week from {today.isoformat()}",
    )
    chart = load_chart(view["capacity"])
    await acreate_markdown_artifact(
        f"# Chair load at {slug}, week from {today.isoformat()}\n\n"
        f"Booked share of each day's chair-minutes (chairs x opening hours).\n\n"
        f"```text\n{chart}\n```\n",
        key=artifact_key("worklist", slug, "chairs-load"),
    )
