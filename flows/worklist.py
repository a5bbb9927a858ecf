"""The morning worklist of one centre, as table artifacts on the dashboard.

Keys are per centre and section (`worklist-main-today`, `worklist-main-tomorrow`,
`worklist-main-reviews`, `worklist-main-overdue`, `worklist-main-relapse`) so the
dashboard shows each list's history; `worklist-main-summary` is the markdown
overview. The run first re-plans the centre's chairs (once a day) and shows them
(`flows/chair_artifacts.py`). Rows hold course ids and pseudonymous references only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from flows import chair_artifacts
from flows.naming import artifact_key, run_name
from flows.resources import engine, instant, rulebook
from ivig_workflow.service.worklist import Worklist, centre_worklist

# A table artifact with no rows shows nothing at all; one line saying so is clearer.
_NOTHING = [{"note": "nothing due"}]


@task(name="read-worklist")
def read_worklist(centre: str, at: datetime, database_url: str | None) -> Worklist:
    return centre_worklist(engine(database_url), rulebook(), centre, at)


def sections(worklist: Worklist) -> dict[str, list[dict[str, Any]]]:
    return {
        "today": [row.model_dump(mode="json") for row in worklist.infusions_today],
        "tomorrow": [row.model_dump(mode="json") for row in worklist.infusions_tomorrow],
        "reviews": [row.model_dump(mode="json") for row in worklist.reviews_due],
        "overdue": [row.model_dump(mode="json") for row in worklist.overdue_cycles],
        "relapse": [row.model_dump(mode="json") for row in worklist.relapse_checks],
    }


def summary(worklist: Worklist) -> str:
    facts = worklist.summary()
    return "\n".join(
        [
            f"# Worklist {worklist.centre}, {worklist.today.isoformat()} ({worklist.time_zone})",
            "",
            f"- infusions today: {facts['infusions_today']} "
            f"({facts['grams_today']} g, {facts['chair_minutes_today']} chair minutes)",
            f"- infusions tomorrow: {facts['infusions_tomorrow']}",
            f"- reviews due: {facts['reviews_due']}",
            f"- overdue cycles: {facts['overdue_cycles']}",
            f"- relapse checks: {facts['relapse_checks']}",
        ]
    )


@flow(name="worklist", flow_run_name=run_name("worklist"), log_prints=False)
async def worklist(
    centre: str | None = None,
    at: datetime | None = None,
    database_url: str | None = None,
    plan_chairs: bool = True,
) -> dict[str, Any]:
    slug = centre or rulebook().centres.default
    chairs = chair_artifacts.plan_chairs(slug, instant(at), database_url) if plan_chairs else {}
    found = read_worklist(slug, instant(at), database_url)
    tomorrow = found.today + timedelta(days=1)
    for section, rows in sections(found).items():
        # Name the day the rows are for, in the centre's zone, not the run's date.
        day = tomorrow if section == "tomorrow" else found.today
        await acreate_table_artifact(
            rows or _NOTHING,
            key=artifact_key("worklist", slug, section),
            description=f"{section} at {slug}: {day.isoformat()} (centre time)",
        )
    await acreate_markdown_artifact(summary(found), key=artifact_key("worklist", slug, "summary"))
    view = chair_artifacts.read_chairs(slug, found.today, database_url)
    await chair_artifacts.publish(slug, found.today, view)
    return {**found.summary(), **{f"chairs_{key}": value for key, value in chairs.items()}}
