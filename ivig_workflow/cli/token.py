"""`ivig token`: bearer tokens for ward systems, with a role, centres and an expiry; only
their hashes are stored, and every creation, rotation and revocation is audited."""

from __future__ import annotations

import getpass
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from rich.console import Console

from ivig_workflow.api.scopes import parse_role
from ivig_workflow.api.tokens import (
    create_token,
    parse_expiry,
    revoke_token,
    rotate_token,
    token_rows,
)
from ivig_workflow.cli.people_tables import Column, people_table
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.domain.errors import InputError

app = typer.Typer(help="Bearer tokens for the ward-event API.", no_args_is_help=True)
URL_HELP = "Database URL (default: IVIG_DATABASE_URL, else the embedded SQLite file)."
BY_HELP = "Who does this, for the audit (default: the login name)."
ROLE_HELP = "ward (post and read, own centres), read (GET only) or admin (everything)."
EXPIRES_HELP = "How long it works: 90d, 12h, 8w; 'never' for admin tokens only."


def _fail(error: InputError) -> typer.Exit:
    typer.echo(f"error: {error.field}: {error.rule}", err=True)
    return typer.Exit(code=2)


def _by(by: str | None) -> str:
    try:
        return (by or getpass.getuser())[:64]
    except OSError:
        return "unknown"


def _grace(text: str) -> timedelta:
    match = re.match(r"^(\d{1,4})([mhd])$", text)
    if text == "0":
        return timedelta(0)
    if not match:
        raise InputError("grace", f"must be like 24h, 30m, 2d or 0, not {text!r}")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


def _show(name: str, token: str, expires_at: datetime | None, as_json: bool) -> None:
    if as_json:
        expiry = expires_at.isoformat() if expires_at else None
        typer.echo(json.dumps({"name": name, "token": token, "expires_at": expiry}))
    else:
        typer.echo(token)


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The sending system; recorded as the actor."),
    centre: list[str] = typer.Option(
        ["*"], "--centre", help="A centre it may act for (repeat; '*' for all)."
    ),
    role: str = typer.Option("ward", "--role", help=ROLE_HELP),
    expires: str = typer.Option("90d", "--expires", help=EXPIRES_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a new token for NAME once; only its SHA-256 is kept."""
    now = datetime.now(UTC)
    try:
        chosen = parse_role(role)
        expires_at = parse_expiry(expires, chosen, now)
        engine = ensure_schema(url)
        token = create_token(
            engine, name, now=now, role=chosen, centres=centre, expires_at=expires_at, by=_by(by)
        )
    except InputError as error:
        raise _fail(error) from None
    _show(name, token, expires_at, as_json)


@app.command("rotate")
def rotate(
    name: str = typer.Argument(..., help="The sending system whose secret is replaced."),
    grace: str = typer.Option(
        "24h", "--grace", help="How long the old secret still works (24h, 30m, 0: not at all)."
    ),
    expires: str = typer.Option("90d", "--expires", help=EXPIRES_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a new secret for NAME once, same role and centres; the old one stops after --grace."""
    now = datetime.now(UTC)
    try:
        engine = ensure_schema(url)
        row = next((r for r in token_rows(engine) if r.name == name and not r.revoked_at), None)
        if row is None:
            raise InputError("name", f"no active token named {name!r}")
        expires_at = parse_expiry(expires, parse_role(row.role), now)
        token = rotate_token(
            engine, name, now=now, grace=_grace(grace), expires_at=expires_at, by=_by(by)
        )
    except InputError as error:
        raise _fail(error) from None
    _show(name, token, expires_at, as_json)


@app.command("revoke")
def revoke(
    name: str = typer.Argument(..., help="The sending system whose token stops working."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
) -> None:
    try:
        revoke_token(ensure_schema(url), name, now=datetime.now(UTC), by=_by(by))
    except InputError as error:
        raise _fail(error) from None
    typer.echo(f"token {name} revoked")


@app.command("list")
def list_tokens(
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Every token made with `ivig token create`: its scope and expiry, never its secret."""
    try:
        rows = token_rows(ensure_schema(url))
    except InputError as error:
        raise _fail(error) from None
    found: list[dict[str, Any]] = [
        {
            "name": r.name,
            "role": r.role,
            "centres": r.centres,
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(found))
        return
    table_rows = (
        (
            item["name"],
            item["role"],
            ", ".join(item["centres"]),
            "revoked" if item["revoked_at"] else _until(item["expires_at"]),
        )
        for item in found
    )
    Console().print(people_table(TOKEN_COLUMNS, table_rows, wide=True, title="API tokens"))


TOKEN_COLUMNS = (Column("name", no_wrap=True), Column("role"), Column("centres"), Column("state"))


def _until(expires_at: str | None) -> str:
    # Minutes are enough for a person; --json gives the instant.
    return "never expires" if expires_at is None else f"expires {expires_at[:16].replace('T', ' ')}"
