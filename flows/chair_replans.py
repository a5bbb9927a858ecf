"""Re-plan the chairs of centres a change marked (a hold, resume, end, new cycle).

Fired by the clock's `chairs` job every minute or so; the job starts a run only when
a centre is due (`centres_due`: one select of the marks, empty when nothing waits),
so the dashboard shows one `chairs-<centre>-<instant>` run per re-plan, never idle
runs. Each centre is its own task run and transaction; the daily re-plan stays with
the morning worklist (`flows/worklist.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task

from flows.naming import run_name
from flows.resources import engine, instant, rulebook
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.replans import centres_due


@task(name="replan-chairs", task_run_name="replan-chairs-{centre}")
def replan_centre(centre: str, at: datetime, database_url: str | None) -> dict[str, Any]:
    answer = plan_centre(engine(database_url), rulebook(), centre, now=at).as_json()
    return {key: value for key, value in answer.items() if key not in ("moved",)}


@flow(name="chairs", flow_run_name=run_name("chairs"), log_prints=False)
def replan_chairs(
    centre: str | None = None, at: datetime | None = None, database_url: str | None = None
) -> dict[str, Any]:
    """Re-plan each marked centre that is due at `at` (`centre` only, when given)."""
    when = instant(at)
    due = centres_due(engine(database_url), rulebook(), when, centre)
    plans = {slug: replan_centre(slug, when, database_url) for slug in due}
    return {"at": when.isoformat(), "replanned": sorted(plans), "plans": plans}
