"""`ivig guideline`: what the encoded guideline says, and where it says it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from ivig_workflow.cli.people_tables import WIDE_OPTION
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import (
    Guideline,
    Indication,
    LineOfTherapy,
    Source,
    TherapyFailure,
)
from ivig_workflow.loading.guideline import load_guideline

app = typer.Typer(
    name="guideline",
    help="The EDF/EADV guideline as encoded: every indication and its rules.",
    no_args_is_help=True,
)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON value instead of a table.")


def _fail(error: InputError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=2)


def _guideline() -> Guideline:
    try:
        return load_guideline()
    except InputError as error:
        _fail(error)


def _dash(value: object) -> str:
    return "—" if value is None else str(value)


def _summary(ind: Indication) -> dict[str, Any]:
    """The figures of one indication, without its sources: `show` has those."""
    without_source = {"source"}
    return {
        "slug": ind.slug,
        "name": ind.name,
        "group": ind.group,
        "evidence": ind.evidence.model_dump(mode="json", exclude=without_source),
        "line": ind.line.line,
        "dose": ind.dose.model_dump(mode="json", exclude=without_source),
        "days": ind.days.model_dump(mode="json", include={"min", "default", "max"}),
        "interval_weeks": ind.interval.model_dump(mode="json", exclude=without_source),
        "long_term": ind.long_term.model_dump(mode="json", exclude=without_source),
        "single_cycle": ind.single_cycle,
    }


COLUMNS: dict[str, Callable[[Indication], object]] = {
    "slug": lambda i: i.slug,
    "name": lambda i: i.name,
    "group": lambda i: i.group,
    "level": lambda i: i.evidence.level,
    "grade": lambda i: i.evidence.grade,
    "line": lambda i: i.line.line,
    "g/kg": lambda i: f"{i.dose.g_per_kg:g}",
    "days min-default-max": lambda i: f"{i.days.min}-{i.days.default}-{i.days.max}",
    "interval initial/max (weeks)": lambda i: f"{i.interval.initial_weeks}/{i.interval.max_weeks}",
    "review/washout cycle": lambda i: (
        f"{_dash(i.long_term.review_at_cycle)}/{_dash(i.long_term.washout_after_cycle)}"
    ),
    "single cycle": lambda i: "yes" if i.single_cycle else "no",
}
# "no recommendation" would fold mid-word in the width 80 columns leave for `line`.
SHORT_LINES = {"last_resort": "last resort", "no_recommendation": "none"}
# What fits 80 columns: the slug whole, evidence in one cell, short headers that the
# caption spells out.
NARROW: dict[str, Callable[[Indication], object]] = {
    "slug": COLUMNS["slug"],
    "evidence": lambda i: f"{_dash(i.evidence.level)} {_dash(i.evidence.grade)}",
    "line": lambda i: SHORT_LINES.get(i.line.line, i.line.line),
    "g/kg": COLUMNS["g/kg"],
    "days": COLUMNS["days min-default-max"],
    "weeks": COLUMNS["interval initial/max (weeks)"],
}
NARROW_CAPTION = (
    "evidence: level and grade; line: none = no recommendation; days: min-default-max; "
    "weeks: interval initial/max. "
    "--wide adds: name, group, review/washout cycle, single cycle"
)


@app.command("list")
def list_indications(as_json: bool = JSON_OPTION, wide: bool = WIDE_OPTION) -> None:
    """Every indication with its evidence, line, dose, days, interval and long-term plan."""
    guideline = _guideline()
    indications = list(guideline.indications.values())
    if as_json:
        typer.echo(json.dumps([_summary(i) for i in indications], ensure_ascii=False))
        return
    columns = COLUMNS if wide else NARROW
    table = Table(
        title=f"IVIg indications, guideline {guideline.version}",
        caption=None if wide else NARROW_CAPTION,
    )
    for column in columns:
        # --wide is for wide terminals: there rich may shrink a column, never crop the table.
        table.add_column(
            column,
            no_wrap=column in ("slug", "level"),
            min_width=None if wide else len(column),
            overflow="fold",
        )
    for indication in indications:
        table.add_row(*(_dash(cell(indication)) for cell in columns.values()))
    Console().print(table)


def _failure(failure: TherapyFailure) -> str:
    weeks = f", at least {failure.min_weeks} weeks" if failure.min_weeks else ""
    return f"{failure.therapy} ({' or '.join(failure.outcomes)}{weeks})"


Rule = tuple[str, str, Source]


def _line_rules(line: LineOfTherapy) -> list[Rule]:
    confirmed = ", confirmed diagnosis required" if line.requires_confirmed_diagnosis else ""
    rules = [("line", line.line + confirmed, line.source)]
    if line.requires_severity is not None:
        severity = line.severity_source or line.source
        rules.append(("severity", f"requires a {line.requires_severity} form", severity))
    rules += [("first line when", c.text, c.source) for c in line.first_line_when]
    return rules + [
        ("second line after", " and ".join(map(_failure, r.all_of)), r.source)
        for r in line.second_line_after
    ]


def _rules(ind: Indication) -> list[Rule]:
    """Each rule of an indication in words, beside the passage it comes from."""
    ev, dose, days, lt, gap = ind.evidence, ind.dose, ind.days, ind.long_term, ind.interval
    note = f" ({ev.note})" if ev.note else ""
    duration = ind.initial_duration
    reduced = (
        f"; reduced {dose.reduced_g_per_kg:g} g/kg: {dose.reduced_when}"
        if dose.reduced_g_per_kg is not None
        else ""
    )
    not_measures = "; not: " + ", ".join(ind.efficacy.not_measures)
    adjuvant = ind.adjuvant.immunosuppression_required
    return [
        ("evidence", f"level {_dash(ev.level)}, grade {_dash(ev.grade)}{note}", ev.source),
        *_line_rules(ind.line),
        (
            "initial duration",
            f"{_dash(duration.months_min)}-{_dash(duration.months_max)} months",
            duration.source,
        ),
        (
            "interval",
            f"{gap.initial_weeks} weeks, to {gap.max_weeks} by {gap.step_weeks}",
            gap.source,
        ),
        (
            "dose",
            f"{dose.g_per_kg:g} g/kg (range {dose.min_g_per_kg:g}-{dose.max_g_per_kg:g}){reduced}",
            dose.source,
        ),
        ("days per cycle", f"{days.default} (range {days.min}-{days.max})", days.source),
        *[
            (
                f"days when {d.condition}",
                f"{d.days}" + (", lower rate" if d.lower_rate else ""),
                d.source,
            )
            for d in days.lengthened_by
        ],
        *[
            (f"lower rate when {d.condition}", f"over {d.days} days", d.source)
            for d in ind.lower_rate_when
        ],
        (
            "efficacy",
            ", ".join(ind.efficacy.measures) + (not_measures if ind.efficacy.not_measures else ""),
            ind.efficacy.source,
        ),
        (
            "long term",
            f"{lt.policy}; review at cycle {_dash(lt.review_at_cycle)}, washout after cycle "
            f"{_dash(lt.washout_after_cycle)}, cycles planned {_dash(lt.cycles_planned)}",
            lt.source,
        ),
        (
            "adjuvant",
            "with immunosuppression" if adjuvant else "monotherapy allowed",
            ind.adjuvant.source,
        ),
        *[
            ("adjunct", f"{a.drug} {a.dose_mg_per_kg_per_day:g} mg/kg/day", a.source)
            for a in ind.adjuncts
        ],
    ]


@app.command("show")
def show(
    slug: str = typer.Argument(..., help="Indication slug, e.g. dermatomyositis."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every rule of one indication with its citation."""
    guideline = _guideline()
    try:
        indication = guideline.indication(slug)
    except InputError as error:
        _fail(error)
    rules = _rules(indication)
    if as_json:
        document = {
            "guideline_version": guideline.version,
            "indication": indication.model_dump(mode="json"),
            "rules": [
                {"rule": rule, "value": value, "citation": source.cite()}
                for rule, value, source in rules
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False))
        return
    table = Table(
        title=f"{indication.name} ({indication.slug}), guideline {guideline.version}",
        show_lines=True,
    )
    for column in ("rule", "value", "citation"):
        table.add_column(column)
    for rule, value, source in rules:
        table.add_row(rule, value, source.cite())
    Console().print(table)
