"""What every database-backed command shares: the engine, the clock, bad input.

Bad input ends a command with exit code 2 and one readable line naming the option
and the rule; nothing else a command prints goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.domain.errors import InputError


@contextmanager
def refusing_bad_input(options: dict[str, str] | None = None) -> Iterator[None]:
    """Turn an InputError into `error: <option>: <rule>` and exit 2."""
    try:
        yield
    except InputError as error:
        field = (options or {}).get(error.field, error.field)
        typer.echo(f"error: {field}: {error.rule}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as error:
        # One line, without the driver's multi-line detail.
        cause = getattr(error, "orig", None) or error
        first_line = (str(cause).strip().splitlines() or [""])[0]
        typer.echo(f"error: database: {type(cause).__name__}: {first_line}", err=True)
        raise typer.Exit(2) from None


def database() -> Engine:
    """The configured database, an embedded one migrated on first use."""
    return ensure_schema()


def parse_instant(option: str, text: str | None) -> datetime:
    """An aware instant from ISO-8601; now when not given."""
    if text is None:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(option, f"expected an ISO-8601 instant, got {text!r}") from None
    if instant.tzinfo is None:
        raise InputError(option, "must carry a time zone offset, e.g. 2026-03-02T09:00:00+01:00")
    return instant.astimezone(UTC)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))
