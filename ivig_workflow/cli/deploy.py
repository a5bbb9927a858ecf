"""`ivig deploy`: the flows as deployments on a Prefect server's work pool, in one command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ivig_workflow.cli.people_tables import WIDE_OPTION, Column, people_table
from ivig_workflow.cli.runtime import print_json, refusing_bad_input
from ivig_workflow.orchestrator.deployments import DeploymentSpec, apply, load_deployments, plan
from ivig_workflow.service.rulebook import load_rulebook


def deploy(
    pool: Annotated[
        str | None, typer.Option(help="Work pool (default: `pool` in deployments.yaml).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Another deployments file (default config/deployments.yaml)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deployed; contact nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """Create the process work pool and the sweep, dispatch, worklist and ward-event deployments.

    The Prefect server is PREFECT_API_URL; start workers with
    `prefect worker start --pool <pool> --type process` where IVIG_DATABASE_URL is set.
    """
    with refusing_bad_input({"config": "--config"}):
        found = load_deployments(config)
        specs = plan(found, load_rulebook())
    chosen = pool or found.pool
    if not dry_run and not os.environ.get("PREFECT_API_URL"):
        # Without a server Prefect would deploy into a throwaway ephemeral one.
        typer.echo("error: PREFECT_API_URL: must name the Prefect server to deploy to", err=True)
        raise typer.Exit(2)
    if not dry_run:
        apply(specs, chosen)
    if as_json:
        print_json(
            {
                "pool": chosen,
                "dry_run": dry_run,
                "deployments": [spec.model_dump(mode="json") for spec in specs],
            }
        )
        return
    _show(specs, chosen, dry_run, wide)


COLUMNS = (
    Column("deployment", no_wrap=True),
    Column("flow", wide_only=True),
    Column("parameters", wide_only=True),
    Column("schedule"),
    Column("trigger"),
)


def _show(specs: list[DeploymentSpec], pool: str, dry_run: bool, wide: bool) -> None:
    verb = "would deploy" if dry_run else "deployed"
    rows = []
    for spec in specs:
        if spec.interval_seconds is not None:
            schedule = f"every {spec.interval_seconds:g} s"
        elif spec.cron is not None:
            schedule = f"cron {spec.cron} ({spec.timezone})"
        else:
            schedule = "-"
        trigger = ", ".join(spec.trigger.expect) if spec.trigger else "-"
        rows.append((spec.name, spec.flow, str(spec.parameters or ""), schedule, trigger))
    title = f"{verb} to work pool {pool!r}"
    Console().print(people_table(COLUMNS, rows, wide=wide, title=title))
