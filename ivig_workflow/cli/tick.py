"""`ivig tick`: run the sweep once at a given instant."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ivig_workflow.cli.people_tables import WIDE_OPTION, Column, people_table
from ivig_workflow.cli.runtime import database, parse_instant, print_json, refusing_bad_input
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due


def tick(
    now: Annotated[str | None, typer.Option(help="ISO-8601 instant (default: now).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=5000)] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """Release due cycles, raise overdue ones, schedule relapse checks."""
    with refusing_bad_input():
        report = sweep_due(
            parse_instant("--now", now),
            engine=database(),
            rulebook=load_rulebook(),
            batch_size=batch_size,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        columns = (
            Column("course", no_wrap=True),
            Column("patient"),
            Column("centre", wide_only=True),
            Column("state", wide_only=True),
            Column("what fired"),
            Column("effects", wide_only=True),
        )
        cells = (
            (
                action.course_id,
                action.patient_ref,
                action.centre,
                action.state,
                ", ".join(action.actions),
                str(action.effects),
            )
            for action in report.actions
        )
        title = f"Sweep at {report.now.isoformat()}: {report.examined} due course(s)"
        Console().print(people_table(columns, cells, wide=wide, title=title))
        for error in report.errors:
            typer.echo(f"warning: {error}", err=True)
    if report.errors:
        raise typer.Exit(1)
