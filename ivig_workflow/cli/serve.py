"""`ivig serve`: the embedded default, everything in one process."""

from __future__ import annotations

import typer

from ivig_workflow.cli.runtime import refusing_bad_input
from ivig_workflow.orchestrator.embedded import ServeOptions
from ivig_workflow.orchestrator.embedded import serve as run_serve


def serve(
    host: str = typer.Option("127.0.0.1", help="Address for the ward API."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port of the ward API."),
    dashboard_port: int = typer.Option(4200, min=1, max=65535, help="Port of the dashboard."),
    dashboard_host: str = typer.Option(
        "127.0.0.1", help="Address for the dashboard; beyond loopback it demands a login."
    ),
    dashboard: bool = typer.Option(
        True, help="Start a local Prefect server (unless PREFECT_API_URL names one)."
    ),
    api_workers: int = typer.Option(
        1,
        "--api-workers",
        min=1,
        max=64,
        help="Processes serving the ward API on the one port, each with its own group "
        "commit (for PostgreSQL; SQLite has one writer, so 1 there).",
    ),
) -> None:
    """Run the ward API, the clock that fires the flows, and the Prefect dashboard.

    State lives in IVIG_STATE_DIR (default ./state); the database is IVIG_DATABASE_URL
    (default a SQLite file in the state folder).
    """
    options = ServeOptions(
        host=host,
        port=port,
        dashboard_port=dashboard_port,
        dashboard=dashboard,
        dashboard_host=dashboard_host,
        api_workers=api_workers,
    )
    with refusing_bad_input():
        try:
            code = run_serve(options, say=typer.echo)
        except RuntimeError as error:  # the dashboard would not start: say why, once
            typer.echo(f"error: dashboard: {error}", err=True)
            raise typer.Exit(2) from None
    raise typer.Exit(code)
