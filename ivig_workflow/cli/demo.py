"""`ivig demo`: fill the database with a demo centre's months, and show it on the dashboard."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import httpx
import typer
from rich.console import Console
from rich.progress import Progress

from ivig_workflow.cli.runtime import database, refusing_bad_input
from ivig_workflow.demo.cohort import demo_cohort
from ivig_workflow.demo.simulation import simulate
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.dispatch import dispatch_due
from ivig_workflow.service.rulebook import Rulebook, load_rulebook
from ivig_workflow.service.scheduling.glance import chairs_at_a_glance


def demo(
    courses: int = typer.Option(24, min=1, max=500, help="How many synthetic courses."),
    months: int = typer.Option(4, min=1, max=24, help="How many months of ward life."),
    seed: int = typer.Option(7, help="The same seed tells the same story."),
    dashboard: str = typer.Option(
        "http://127.0.0.1:4200/api",
        help="Prefect API to run the flows against (PREFECT_API_URL wins); skipped if down.",
    ),
) -> None:
    """Synthetic courses across the indication groups (DEMO-0001 ...), simulated up to today."""
    console = Console(stderr=True)
    with refusing_bad_input():
        engine = database()
        rulebook = load_rulebook()
        today = datetime.now(UTC).date()
        cohort = demo_cohort(courses, today - timedelta(days=30 * months), today, seed)
        with Progress(console=console) as progress:
            days = progress.add_task("simulating ward days", total=None)
            report = simulate(
                cohort,
                engine=engine,
                rulebook=rulebook,
                until=today,
                seed=seed,
                progress=lambda done, total: progress.update(days, completed=done, total=total),
            )
            sending = progress.add_task("delivering notifications", total=None)
            delivered = dispatch_due(
                datetime.now(UTC), engine=engine, router=Router.load(), limit=100_000
            ).delivered
            progress.update(sending, completed=1, total=1)
        console.print(
            f"{len(report.started)} courses, {report.events} ward events over {report.days} "
            f"days, {delivered} notifications delivered"
        )
        for refusal in report.refused:
            console.print(f"not started: {refusal}")
        console.print(chairs_at_a_glance(engine, rulebook, datetime.now(UTC)))
        api = os.environ.get("PREFECT_API_URL") or dashboard
        if _reachable(api):
            _run_flows(api, engine.url.render_as_string(hide_password=False), rulebook)
            console.print(f"flows run: see the artifacts at {api.removesuffix('/api')}")
        else:
            console.print(f"no Prefect server at {api}: start `ivig serve` to see the dashboard")


def _reachable(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _run_flows(api: str, url: str, rulebook: Rulebook) -> None:
    from ivig_workflow.orchestrator.jobs import Runtime, run_flow

    runtime = Runtime(database_url=url, prefect_api=api)
    run_flow("sweep", None, runtime)
    run_flow("dispatch", None, runtime)
    run_flow("relay", None, runtime)
    for slug in rulebook.centres.centres:
        run_flow("worklist", slug, runtime)
