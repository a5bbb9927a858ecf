"""`ivig course start | show | list`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from ivig_workflow.cli.people_tables import WIDE_OPTION, Column, instant, people_table
from ivig_workflow.cli.runtime import database, parse_instant, print_json, refusing_bad_input
from ivig_workflow.domain.course.model import DoseOptions
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.views import course_list, course_view

app = typer.Typer(no_args_is_help=True, help="Start, show and list patient courses.")
OPTIONS = {
    "patient_ref": "--patient",
    "weight_kg": "--weight-kg",
    "height_cm": "--height-cm",
    "start_date": "--start-date",
    "course_id": "--course-id",
    "days": "--days",
    "dosing_weight": "--dosing-weight",
    "organ_involvement": "--organ-involvement",
    "g_per_kg": "--g-per-kg",
    "reduced_dose": "--reduced-dose",
    "override_reason": "--override-reason",
    "indication": "--indication",
    "egfr": "--egfr",
    "age_years": "--age-years",
    "backfill": "--backfill",
    "sex": "--sex",
    "product": "--product",
    "rounding": "--rounding",
    "centre": "--centre",
}


@app.command("start")
def start(
    patient: Annotated[str, typer.Option("--patient", help="Pseudonymous reference.")],
    indication: Annotated[str, typer.Option(help="Indication slug.")],
    weight_kg: Annotated[float, typer.Option("--weight-kg")],
    start_date: Annotated[str, typer.Option("--start-date", help="YYYY-MM-DD, day 1.")],
    centre: Annotated[str | None, typer.Option(help="Centre slug.")] = None,
    height_cm: Annotated[float | None, typer.Option("--height-cm")] = None,
    egfr: Annotated[float | None, typer.Option("--egfr")] = None,
    sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
    age_years: Annotated[int | None, typer.Option("--age-years")] = None,
    pregnant: Annotated[bool, typer.Option("--pregnant")] = False,
    days: Annotated[int | None, typer.Option(help="Days per cycle.")] = None,
    g_per_kg: Annotated[float | None, typer.Option("--g-per-kg")] = None,
    product: Annotated[str | None, typer.Option(help="Product slug.")] = None,
    dosing_weight: Annotated[str | None, typer.Option(help="actual or adjusted.")] = None,
    renal_impairment: Annotated[bool, typer.Option("--renal-impairment")] = False,
    cardiac_impairment: Annotated[bool, typer.Option("--cardiac-impairment")] = False,
    thrombotic_risk: Annotated[bool, typer.Option("--thrombotic-risk")] = False,
    diabetes: Annotated[bool, typer.Option("--diabetes", help="Renal risk factor.")] = False,
    nephrotoxic_drugs: Annotated[
        bool, typer.Option("--nephrotoxic-drugs", help="Renal risk factor.")
    ] = False,
    organ_involvement: Annotated[list[str] | None, typer.Option(help="kidney or heart.")] = None,
    reduced_dose: Annotated[bool, typer.Option("--reduced-dose")] = False,
    override_reason: Annotated[
        str | None,
        typer.Option("--override-reason", help="Why the plan departs from the guideline."),
    ] = None,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Entered after the fact: any start date.")
    ] = False,
    rounding: Annotated[str | None, typer.Option(help="vial_combination|nearest_5g|none")] = None,
    course_id: Annotated[str | None, typer.Option("--course-id")] = None,
    now: Annotated[str | None, typer.Option(help="ISO-8601 instant (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """Start a course, pinned to the loaded guideline version, cycle 1 on the start date."""
    with refusing_bad_input(OPTIONS):
        try:
            day_one = date.fromisoformat(start_date)
        except ValueError:
            raise InputError("--start-date", f"expected YYYY-MM-DD, got {start_date!r}") from None
        options = _validated(
            DoseOptions,
            product=product,
            dosing_weight=dosing_weight,
            sex=sex,
            age_years=age_years,
            pregnant=pregnant,
            renal_impairment=renal_impairment,
            cardiac_impairment=cardiac_impairment,
            thrombotic_risk=thrombotic_risk,
            diabetes=diabetes,
            nephrotoxic_drugs=nephrotoxic_drugs,
            organ_involvement=tuple(organ_involvement or ()),
            reduced_dose=reduced_dose,
            g_per_kg=g_per_kg,
            days=days,
            rounding=rounding,
        )
        command = _validated(
            StartCourse,
            patient_ref=patient,
            indication=indication,
            start_date=day_one,
            weight_kg=weight_kg,
            height_cm=height_cm,
            egfr=egfr,
            centre=centre,
            dose_options=options,
            course_id=course_id,
            actor="cli",
            override_reason=override_reason,
            backfill=backfill,
        )
        engine = database()
        course = start_course(
            command, engine=engine, rulebook=load_rulebook(), now=parse_instant("--now", now)
        )
        view = course_view(engine, course.course_id)
    assert view is not None
    if as_json:
        print_json(view)
    else:
        show_course(view, wide=wide)


@app.command("show")
def show(
    course_id: Annotated[str, typer.Argument(help="Course id.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """A course: its state, cycles with doses, open tasks and the history of why."""
    with refusing_bad_input():
        view = course_view(database(), course_id)
        if view is None:
            raise InputError("course", f"no course {course_id!r}")
    if as_json:
        print_json(view)
    else:
        show_course(view, wide=wide)


@app.command("list")
def list_courses(
    state: Annotated[str | None, typer.Option(help="Only courses in this state.")] = None,
    indication: Annotated[str | None, typer.Option()] = None,
    centre: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """Courses, oldest first."""
    with refusing_bad_input():
        rows = course_list(
            database(), state=state, indication=indication, centre=centre, limit=limit
        )
    if as_json:
        print_json(rows)
        return
    columns = (
        Column("course", no_wrap=True),
        Column("patient"),
        Column("indication"),
        Column("centre", wide_only=True),
        Column("state"),
        Column("series", wide_only=True),
        Column("cycles", wide_only=True),
        Column("interval", wide_only=True),
    )
    cells = (
        (
            row["course_id"],
            row["patient_ref"],
            row["indication"],
            row["centre"],
            row["state"],
            str(row["series"]),
            str(row["cycles_completed"]),
            f"{row['interval_weeks']} wk",
        )
        for row in rows
    )
    Console().print(people_table(columns, cells, wide=wide, title=f"{len(rows)} course(s)"))


def _validated(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError

    from ivig_workflow.domain.rule_words import first_error

    try:
        return model(**values)
    except ValidationError as error:
        field, rule = first_error(error)
        # A repeated option's position (organ_involvement.0) is not part of its name.
        field = ".".join(part for part in field.split(".") if not part.isdigit())
        raise InputError(field or "input", rule) from None


def show_course(view: dict[str, Any], *, wide: bool = False) -> None:
    console = Console()
    console.print(
        f"[bold]{view['course_id']}[/] patient {view['patient_ref']} · {view['indication']} · "
        f"[bold]{view['state']}[/] · series {view['series']} · "
        f"{view['cycles_completed']} cycle(s) done · every {view['interval_weeks']} weeks · "
        f"next {view['next_due_date'] or '—'}"
    )
    if view.get("override"):
        override = view["override"]
        console.print(
            f"[bold]override[/] by {override['by'] or '—'}: {override['reason']} "
            f"({'; '.join(override['departures'])})"
        )
    cycles = (
        (
            str(cycle["number"]),
            f"{cycle['series']}.{cycle['number_in_series']}",
            ", ".join(cycle["planned_dates"]),
            " / ".join(f"{g:g}" for g in cycle["doses_g"]),
            f"{cycle['total_g']:g}",
            cycle["product"],
            cycle["status"],
            ", ".join(cycle["lots"]),
        )
        for cycle in view["cycles"]
    )
    console.print(people_table(CYCLE_COLUMNS, cycles, wide=wide, title="Cycles"))
    tasks = (
        (str(task["id"]), task["role"], task["kind"], instant(task["due_at"]), task["title"])
        for task in view["open_tasks"]
    )
    console.print(people_table(TASK_COLUMNS, tasks, wide=wide, title="Open tasks"))
    history = (
        (
            instant(step["at"]),
            step["from"] or "",
            step["to"],
            step["event_type"],
            step["key"] or "",
            step["rule"],
        )
        for step in view["history"]
    )
    console.print(people_table(HISTORY_COLUMNS, history, wide=wide, title="History"))


CYCLE_COLUMNS = (
    Column("#"),
    Column("series", wide_only=True),
    Column("dates"),
    Column("grams/day"),
    Column("total g"),
    Column("product"),
    Column("status"),
    Column("lots"),
)
TASK_COLUMNS = (
    Column("id"),
    Column("role"),
    Column("kind", wide_only=True),
    Column("due"),
    Column("what"),
)
HISTORY_COLUMNS = (
    Column("at"),
    Column("from", wide_only=True),
    Column("to"),
    Column("trigger"),
    Column("key", wide_only=True),
    Column("rule"),
)
