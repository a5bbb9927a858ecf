"""`ivig db`: the database schema (migrations to head, and whether it is current), backups
and the purge of old hospital messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from ivig_workflow import settings
from ivig_workflow.cli.runtime import refusing_bad_input
from ivig_workflow.db.backup import backup_sqlite, pg_dump_command
from ivig_workflow.db.engine import (
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    upgrade,
)
from ivig_workflow.service.received_messages import purge_messages

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


@app.command("backup")
def backup_command(
    path: Path = typer.Argument(..., help="The new file to write (must not exist)."),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
) -> None:
    """Copy the embedded SQLite database while it runs (SQLite's online backup).

    To restore: stop `ivig serve`, copy the file to `<state dir>/ivig.sqlite3` (or point
    IVIG_DATABASE_URL at it), start again. PostgreSQL: use the pg_dump command printed.
    """
    url = url or settings.database_url()
    with refusing_bad_input():
        engine = make_engine(url)
        dialect = engine.dialect.name
        engine.dispose()
        if dialect != "sqlite":
            command = pg_dump_command(url, path)
            typer.echo(f"error: backup: PostgreSQL is backed up with pg_dump: {command}", err=True)
            raise typer.Exit(2)
        size = backup_sqlite(url, path)
    typer.echo(f"backed up to {path} ({size} bytes)")


@app.command("purge-messages")
def purge_messages_command(
    days: int | None = typer.Option(
        None, "--days", min=1, help="Keep this many days (default IVIG_MESSAGE_RETENTION_DAYS, 90)."
    ),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
) -> None:
    """Delete received hospital messages older than the retention."""
    with refusing_bad_input():
        gone = purge_messages(ensure_schema(url), now=datetime.now(UTC), days=days)
    typer.echo(f"{gone} received messages purged")
