"""`ivig eligibility`: is IVIg indicated for this clinical context, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from rich.console import Console
from rich.table import Table

from ivig_workflow.domain.errors import InputError, UnknownIndication
from ivig_workflow.domain.guideline.clinical_context import ClinicalContext, Contraindication
from ivig_workflow.domain.guideline.eligibility import Eligibility, assess_eligibility
from ivig_workflow.domain.guideline.model import Outcome, Severity, Therapy

_VERDICT_STYLE = {"indicated": "green", "indicated_with_warnings": "yellow", "not_indicated": "red"}
_KIND_STYLE = {"reason": "", "warning": "yellow", "blocker": "red"}


def eligibility(
    indication: Annotated[str, typer.Option("--indication", help="Indication slug.")],
    severity: Annotated[str | None, typer.Option(help="mild, moderate or severe.")] = None,
    diagnosis_confirmed: Annotated[bool, typer.Option("--diagnosis-confirmed")] = False,
    fulminant: Annotated[bool, typer.Option("--fulminant", help="Fulminant course.")] = False,
    severe_myolysis: Annotated[bool, typer.Option("--severe-myolysis")] = False,
    paralysis: Annotated[bool, typer.Option("--paralysis")] = False,
    contraindication: Annotated[
        list[str] | None,
        typer.Option(
            help="Contraindication to standard immunosuppression (repeatable): "
            + ", ".join(get_args(Contraindication))
        ),
    ] = None,
    tried: Annotated[
        list[str] | None,
        typer.Option(
            help="Therapy tried, as THERAPY:WEEKS:OUTCOME (repeatable); THERAPY: "
            + ", ".join(get_args(Therapy))
            + "; OUTCOME: "
            + ", ".join(get_args(Outcome))
        ),
    ] = None,
    concomitant_immunosuppression: Annotated[
        bool | None, typer.Option("--concomitant-immunosuppression/--monotherapy")
    ] = None,
    context_file: Annotated[
        Path | None, typer.Option("--context", help="Clinical context as a JSON object.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Tell whether IVIg is indicated, in which line, with the guideline passages why."""
    from ivig_workflow.loading.guideline import load_guideline

    try:
        base = _context_file(context_file)
        overrides: dict[str, Any] = {
            "features": sorted(base.features | _features(fulminant, severe_myolysis, paralysis)),
            "contraindications": sorted(
                base.contraindications | {_contraindication(c) for c in contraindication or []}
            ),
            "therapies_tried": [t.model_dump() for t in base.therapies_tried]
            + [_trial(text) for text in tried or []],
            "diagnosis_confirmed": base.diagnosis_confirmed or diagnosis_confirmed,
        }
        if severity is not None:
            overrides["severity"] = _choice("--severity", severity, get_args(Severity))
        if concomitant_immunosuppression is not None:
            overrides["concomitant_immunosuppression"] = concomitant_immunosuppression
        context = ClinicalContext.from_mapping(base.model_dump() | overrides)
        guideline = load_guideline()
        try:
            found = guideline.indication(indication)
        except UnknownIndication as error:
            raise InputError("--indication", error.rule) from None
        result = assess_eligibility(found, context)
    except InputError as error:
        typer.echo(f"error: {error.field}: {error.rule}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(_as_json(result, context, guideline.version)))
    else:
        _show(result, found.name, guideline.version)


def _context_file(path: Path | None) -> ClinicalContext:
    if path is None:
        return ClinicalContext()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError("--context", f"cannot read {str(path)!r}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise InputError("--context", f"invalid JSON: {error.msg} at line {error.lineno}") from None
    if not isinstance(data, dict):
        raise InputError("--context", "expected a JSON object")
    try:
        return ClinicalContext.from_mapping(data)
    except InputError as error:
        raise InputError(f"--context: {error.field}", error.rule) from None


def _features(fulminant: bool, severe_myolysis: bool, paralysis: bool) -> set[str]:
    flags = {"fulminant_course": fulminant, "severe_myolysis": severe_myolysis}
    flags["paralysis"] = paralysis
    return {code for code, present in flags.items() if present}


def _contraindication(text: str) -> str:
    return _choice("--contraindication", text, get_args(Contraindication))


def _trial(text: str) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError("--tried", f"expected THERAPY:WEEKS:OUTCOME, got {text!r}")
    therapy, weeks, outcome = parts
    if not weeks.strip().isdigit():
        raise InputError("--tried", f"WEEKS must be a whole number of weeks, got {weeks!r}")
    return {
        "therapy": _choice("--tried", therapy, get_args(Therapy)),
        "weeks": int(weeks),
        "outcome": _choice("--tried", outcome, get_args(Outcome)),
    }


def _choice(option: str, text: str, allowed: tuple[str, ...]) -> str:
    # People type hyphens; the codes use underscores.
    code = text.strip().lower().replace("-", "_")
    if code not in allowed:
        raise InputError(option, f"expected one of {', '.join(allowed)}, got {text!r}")
    return code


def _as_json(result: Eligibility, context: ClinicalContext, version: str) -> dict[str, Any]:
    shown = context.model_dump(mode="json")
    for key in ("features", "contraindications"):
        shown[key] = sorted(shown[key])
    return {"guideline_version": version, **result.model_dump(mode="json"), "context": shown}


def _show(result: Eligibility, name: str, version: str) -> None:
    console = Console()
    style = _VERDICT_STYLE[result.verdict]
    console.print(
        f"{name}: [bold {style}]{result.verdict}[/] (line of use: {result.line_of_use}; "
        f"guideline {version})"
    )
    table = Table(show_lines=True)
    for column in ("kind", "code", "reason", "guideline"):
        table.add_column(column, overflow="fold")
    for reason in result.reasons:
        kind_style = _KIND_STYLE[reason.kind]
        kind = f"[{kind_style}]{reason.kind}[/]" if kind_style else reason.kind
        table.add_row(kind, reason.code, reason.text, reason.citation)
    console.print(table)
