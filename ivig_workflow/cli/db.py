"""`ivig db`: the database schema (migrations to head, and whether it is current)."""

from __future__ import annotations

import json

import typer

from ivig_workflow.cli.runtime import refusing_bad_input
from ivig_workflow.db.engine import current_revision, head_revision, make_engine, upgrade

app = typer.Typer(help="The database schema.", no_args_is_help=True)

URL_HELP = "Database URL (default: IVIG_DATABASE_URL, else the embedded SQLite file)."


@app.command("upgrade")
def upgrade_command(
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Migrate the database to the newest schema and print the revision."""
    with refusing_bad_input():
        engine = make_engine(url)
        try:
            revision = upgrade(engine)
        finally:
            engine.dispose()
    if as_json:
        typer.echo(json.dumps({"revision": revision, "current": revision == head_revision()}))
    else:
        typer.echo(f"database at revision {revision}")


@app.command("status")
def status_command(
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print the database's revision and the code's; exit 1 when they differ."""
    with refusing_bad_input():
        engine = make_engine(url)
        try:
            current = current_revision(engine)
        finally:
            engine.dispose()
    head = head_revision()
    if as_json:
        typer.echo(json.dumps({"revision": current, "head": head, "current": current == head}))
    else:
        typer.echo(f"database at {current or 'nothing'}, code needs {head}")
    if current != head:
        raise typer.Exit(code=1)
