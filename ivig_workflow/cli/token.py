"""`ivig token`: bearer tokens for ward systems; only their hashes are stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from ivig_workflow.api.tokens import create_token, revoke_token
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.domain.errors import InputError

app = typer.Typer(help="Bearer tokens for the ward-event API.", no_args_is_help=True)
URL_HELP = "Database URL (default: IVIG_DATABASE_URL, else the embedded SQLite file)."


def _fail(error: InputError) -> typer.Exit:
    typer.echo(f"error: {error.field}: {error.rule}", err=True)
    return typer.Exit(code=2)


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The sending system; recorded as the actor."),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a new token for NAME once; only its SHA-256 is kept."""
    try:
        engine = ensure_schema(url)
        token = create_token(engine, name, now=datetime.now(UTC))
    except InputError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps({"name": name, "token": token}))
    else:
        typer.echo(token)


@app.command("revoke")
def revoke(
    name: str = typer.Argument(..., help="The sending system whose token stops working."),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
) -> None:
    try:
        revoke_token(ensure_schema(url), name, now=datetime.now(UTC))
    except InputError as error:
        raise _fail(error) from None
    typer.echo(f"token {name} revoked")
