"""What the clock fires: one function per job, named by text so the job store can keep it.

With a Prefect server (`prefect_api` set) each job is a flow run, tagged with its
centre and kind, so the dashboard shows it; without one (`ivig serve
--no-dashboard`) the same services run directly, with no Prefect at all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ivig_workflow.db.engine import shared_engine
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.dispatch import dispatch_due
from ivig_workflow.service.due_work import courses_due, notifications_due
from ivig_workflow.service.housekeeping import HOUSEKEEPING
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.scheduling.replans import centres_due, replan_marked
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.worklist import centre_worklist

log = logging.getLogger("ivig.clock")


@dataclass
class Runtime:
    database_url: str
    prefect_api: str | None = None
    prefect_auth: str | None = None  # `user:password` when the server demands basic auth


# Set once by `ivig serve` before the clock starts: the job store keeps only the
# function's name and its kind, never a connection.
RUNTIME: Runtime | None = None


def runtime() -> Runtime:
    if RUNTIME is None:
        raise RuntimeError("the clock's runtime is not configured")
    return RUNTIME


def run_job(kind: str, centre: str | None = None) -> None:
    """Fire one job; a failure is logged and the clock carries on with the next tick."""
    try:
        outcome = _run(kind, centre, runtime())
    except Exception:
        log.exception("job %s failed", kind)
        return
    log.info("job %s%s: %s", kind, f" ({centre})" if centre else "", outcome)
    if kind == "dispatch":
        # With the dispatch, which runs every 30 s with or without Prefect: purge old
        # hospital messages, and raise an operator item when checkpoints fail.
        try:
            done = HOUSEKEEPING.run(shared_engine(runtime().database_url), datetime.now(UTC))
        except Exception:
            log.exception("housekeeping failed")
        else:
            if done:
                log.info("housekeeping: %s", done)


def _run(kind: str, centre: str | None, settings: Runtime) -> Any:
    if settings.prefect_api is not None:
        return run_flow(kind, centre, settings)
    engine = shared_engine(settings.database_url)
    now = datetime.now(UTC)
    if kind == "sweep":
        return sweep_due(now, engine=engine, rulebook=load_rulebook(), centre=centre).model_dump(
            exclude={"actions"}
        )
    if kind == "dispatch":
        return dispatch_due(now, engine=engine, router=Router.load()).model_dump(
            exclude={"deliveries"}
        )
    if kind == "worklist":
        return centre_worklist(engine, load_rulebook(), centre or "main", now).summary()
    if kind == "chairs":
        plans = replan_marked(engine, load_rulebook(), now, centre)
        return {"replanned": [plan.centre for plan in plans]}
    return None  # the relay needs a Prefect server to relay to


def run_flow(kind: str, centre: str | None, settings: Runtime) -> Any:
    """One flow run against the configured Prefect server, tagged `centre:<slug>`, `kind:<kind>`."""
    from prefect import tags
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from flows.chair_replans import replan_chairs
    from flows.dispatch import dispatch
    from flows.sweep import sweep
    from flows.worklist import worklist

    url = settings.database_url
    if _nothing_due(kind, centre, url):
        return {"flow_run": "skipped: nothing due"}
    updates: dict[Any, Any] = {PREFECT_API_URL: settings.prefect_api}
    if settings.prefect_auth:
        updates[PREFECT_API_AUTH_STRING] = settings.prefect_auth
    with (
        temporary_settings(updates=updates),
        tags(f"centre:{centre or 'all'}", f"kind:{kind}"),
    ):
        if kind == "sweep":
            return _summary(asyncio.run(sweep(centre=centre, database_url=url)))
        if kind == "dispatch":
            return _summary(asyncio.run(dispatch(database_url=url)))
        if kind == "worklist":
            return asyncio.run(worklist(centre=centre, database_url=url))
        if kind == "relay":
            return relay(url, settings.prefect_api)
        if kind == "chairs":
            return {"replanned": replan_chairs(centre=centre, database_url=url)["replanned"]}
    return None


def _nothing_due(kind: str, centre: str | None, database_url: str) -> bool:
    now = datetime.now(UTC)
    engine = shared_engine(database_url)
    if kind == "sweep":
        return not courses_due(engine, now, centre)
    if kind == "dispatch":
        return not notifications_due(engine, now)
    if kind == "chairs":
        return not centres_due(engine, load_rulebook(), now, centre)
    return False


def relay(database_url: str, prefect_api: str | None) -> int:
    from ivig_workflow.orchestrator.prefect_events import relay_transitions

    return relay_transitions(shared_engine(database_url), api_url=prefect_api)


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if not isinstance(v, list)}
