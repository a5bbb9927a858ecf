"""Dispatch: deliver the due notifications of the outbox, at least once.

Backoff and dead letters live in the outbox rows themselves (the service settles
each row); the task's own retries cover a database or configuration hiccup. Dead
letters are listed in the `dispatch-dead-letters` artifact and each opens a work
item for the operators.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_table_artifact

from flows.naming import run_name
from flows.resources import engine, instant, stamp
from ivig_workflow.notify.routes_config import load_notifications
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.dispatch import DispatchReport, dead_letters, dispatch_due


@task(name="deliver-outbox", retries=2, retry_delay_seconds=[2, 10])
def deliver_outbox(
    at: datetime, database_url: str | None, notifications: str | None, limit: int
) -> DispatchReport:
    config = load_notifications(Path(notifications) if notifications else None)
    return dispatch_due(
        at,
        engine=engine(database_url),
        router=Router.from_config(config),
        policy=config.retry,
        limit=limit,
    )


@flow(name="dispatch", flow_run_name=run_name("dispatch"), log_prints=False)
async def dispatch(
    at: datetime | None = None,
    database_url: str | None = None,
    notifications: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Deliver what is due at `at`; `notifications` names another notifications.yaml."""
    when = instant(at)
    report = deliver_outbox(when, database_url, notifications, limit)
    if report.dead:
        rows = [
            {
                "outbox_id": row.id,
                "key": row.key,
                "course_id": row.course_id,
                "role": row.role,
                "attempts": row.attempts,
                "last_error": row.last_error,
            }
            for row in dead_letters(engine(database_url))
        ]
        await acreate_table_artifact(
            rows,
            key="dispatch-dead-letters",
            description=f"Notifications given up on, as of {stamp(when)}: see the operator tasks",
        )
    return report.model_dump(mode="json")
