"""`ivig db`: the database schema (migrations to head, and whether it is current)."""

from __future__ import annotations

import json

import typer
from sqlalchemy.exc import SQLAlchemyError

from ivig_workflow.db.engine import current_revision, head_revision, make_engine, upgrade
from ivig_workflow.domain.errors import InputError

app = typer.Typer(help="The database schema.", no_args_is_help=True)

URL_HELP = "Database URL (default: IVIG_DATABASE_URL, else the embedded SQLite file)."


def _database_error(error: SQLAlchemyError) -> str:
    # One line, without the driver's multi-line detail.
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"database: {type(cause).__name__}: {first_line}"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@app.command("upgrade")
def upgrade_command(
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Migrate the database to the newest schema and print the revision."""
    try:
        engine = make_engine(url)
        try:
            revision = upgrade(engine)
        finally:
            engine.dispose()
    except InputError as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _fail(_database_error(error)) from None
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
    try:
        engine = make_engine(url)
        try:
            current = current_revision(engine)
        finally:
            engine.dispose()
    except InputError as error:
        raise _fail(str(error)) from None
    except SQLAlchemyError as error:
        raise _fail(_database_error(error)) from None
    head = head_revision()
    if as_json:
        typer.echo(json.dumps({"revision": current, "head": head, "current": current == head}))
    else:
        typer.echo(f"database at {current or 'nothing'}, code needs {head}")
    if current != head:
        raise typer.Exit(code=1)
