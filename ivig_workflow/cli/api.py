"""`ivig api`: serve the ward-event HTTP API alone, with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from ivig_workflow.api.app import create_app
from ivig_workflow.api.processes import serve_api_processes
from ivig_workflow.domain.errors import InputError


def api(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
) -> None:
    """Serve the ward-event API (tokens from `ivig token create`, IVIG_API_TOKENS or
    IVIG_API_TOKENS_FILE; database from IVIG_DATABASE_URL)."""
    try:
        if workers > 1:
            # Each worker process builds its own app (and engine) from the environment.
            serve_api_processes(host, port, workers, log_level="info")
        else:
            uvicorn.run(create_app(), host=host, port=port)
    except InputError as error:
        typer.echo(f"error: {error.field}: {error.rule}", err=True)
        raise typer.Exit(code=2) from None
