"""`ivig event`: hand one ward event to the courses, exactly as the HTTP API would."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ivig_workflow.cli.runtime import database, parse_instant, print_json, refusing_bad_input
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.ward_events import receive_event

# Exit codes: 0 applied or duplicate, 1 refused by the course's state, 2 bad input.
EXIT = {"applied": 0, "duplicate": 0, "refused": 1}


def event(
    event_type: Annotated[
        str | None, typer.Argument(metavar="TYPE", help="e.g. course.held")
    ] = None,
    course: Annotated[str | None, typer.Option("--course", help="Course id.")] = None,
    key: Annotated[str | None, typer.Option(help="The sender's idempotency key.")] = None,
    at: Annotated[str | None, typer.Option(help="When it happened, ISO-8601 with offset.")] = None,
    data: Annotated[str | None, typer.Option(help="The event's data as JSON.")] = None,
    file: Annotated[Path | None, typer.Option(help="An event JSON file ('-' for stdin).")] = None,
    sender: Annotated[str, typer.Option(help="Who sends it (recorded as actor).")] = "cli",
    now: Annotated[
        str | None,
        typer.Option(help="When it is received, ISO-8601 with offset (default: the clock)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Apply a ward event once: applied, duplicate (nothing changed) or refused."""
    with refusing_bad_input():
        raw = _raw_event(event_type, course, key, at, data, file)
        answer = receive_event(
            raw,
            engine=database(),
            rulebook=load_rulebook(),
            now=parse_instant("--now", now),
            sender=sender,
        )
        if answer.status in ("invalid", "unknown_course"):
            if as_json:
                print_json(answer.model_dump(mode="json"))
            field, rule = (
                (answer.errors[0].field, answer.errors[0].rule)
                if answer.errors
                else ("course_id", answer.reason or "unknown course")
            )
            raise InputError(field, f"{rule} (kept as inbox #{answer.inbox_id})")
    if as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        note = f": {answer.reason}" if answer.reason else ""
        first = f" (first answer: {answer.first_status})" if answer.first_status else ""
        typer.echo(f"{answer.status}{first} · course {answer.course_id} · {answer.state}{note}")
        for deviation in answer.deviations:
            typer.echo(f"deviation {deviation.kind}: {deviation.detail} ({deviation.rule})")
    raise typer.Exit(EXIT[answer.status])


def _raw_event(
    event_type: str | None,
    course: str | None,
    key: str | None,
    at: str | None,
    data: str | None,
    file: Path | None,
) -> str:
    if file is not None:
        if event_type or course or key or at or data:
            raise InputError("--file", "takes the whole event; give no TYPE or other options")
        try:
            return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError("--file", f"cannot read {file}: {error.strerror}") from None
    for option, value in (("TYPE", event_type), ("--course", course), ("--key", key)):
        if not value:
            raise InputError(option, "is required unless --file is given")
    try:
        payload = json.loads(data) if data else {}
    except json.JSONDecodeError as error:
        raise InputError("--data", f"is not valid JSON ({error.msg})") from None
    occurred = parse_instant("--at", at)
    return json.dumps(
        {
            "type": event_type,
            "course_id": course,
            "key": key,
            "occurred_at": occurred.isoformat(),
            "data": payload,
        }
    )
