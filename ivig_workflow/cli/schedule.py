"""`ivig schedule`: plan a centre's chairs, and show the bookings as a chair board."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from ivig_workflow.cli.people_tables import Column, people_table
from ivig_workflow.cli.runtime import database, parse_instant, print_json, refusing_bad_input
from ivig_workflow.domain.capacity import ChairCapacity
from ivig_workflow.domain.centre import WEEKDAYS
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.views import chair_board, load_chart, schedule_view

app = typer.Typer(
    help="Chairs: plan each cycle day into a chair, and show the bookings.", no_args_is_help=True
)

CENTRE = typer.Option("--centre", help="Centre slug (default: the file's default).")


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(option, f"expected a date YYYY-MM-DD, got {text!r}") from None


@app.command("plan")
def plan(
    centre: Annotated[str | None, CENTRE] = None,
    first: Annotated[str | None, typer.Option("--from", help="First date (default: today).")] = (
        None
    ),
    weeks: Annotated[int | None, typer.Option(min=1, max=52, help="Horizon in weeks.")] = None,
    now: Annotated[str | None, typer.Option(help="ISO-8601 instant (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-plan the centre's chairs for the horizon; bookings in the freeze window stay.
    Each cycle moved becomes a `cycle.rescheduled` step of its course."""
    with refusing_bad_input():
        rulebook = load_rulebook()
        slug = rulebook.centres.centre(centre).slug
        report = plan_centre(
            database(),
            rulebook,
            slug,
            now=parse_instant("--now", now),
            first=_day("--from", first),
            weeks=weeks,
        )
    answer = report.as_json()
    if as_json:
        print_json(answer)
        return
    console = Console()
    console.print(
        f"{slug} {answer['from']}..{answer['to']}: {answer['bookings']} bookings, "
        f"{len(answer['moved'])} cycles moved, {len(answer['unplaced'])} unplaced, "
        f"utilisation {answer['utilisation']:.0%} ({answer['solver']}, {answer['seconds']} s)"
    )
    for move in answer["moved"]:  # each is a cycle.rescheduled step of its course
        console.print(
            f"moved: {move['course_id']} cycle {move['cycle']} {move['planned_start']} -> "
            f"{move['new_start']} ({move['reason']})"
        )
    for lost in answer["unplaced"]:
        console.print(f"unplaced: {lost['course_id']} cycle {lost['cycle']}: {lost['reason']}")


@app.command("show")
def show(
    first: Annotated[str, typer.Option("--from", help="First date.")],
    last: Annotated[str, typer.Option("--to", help="Last date.")],
    centre: Annotated[str | None, CENTRE] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The bookings between two dates: a chair-by-hour board per open date."""
    with refusing_bad_input():
        start, end = _day("--from", first), _day("--to", last)
        assert start is not None and end is not None
        if end < start:
            raise InputError("--to", "must not be before --from")
        if (end - start).days > 366:
            raise InputError("--to", "at most a year after --from")
        rulebook = load_rulebook()
        slug = rulebook.centres.centre(centre).slug
        view = schedule_view(database(), rulebook, slug, start, end)
    if as_json:
        print_json(view)
        return
    _board(view, rulebook.centres.capacity(slug))


def _board(view: dict[str, Any], capacity: ChairCapacity) -> None:
    console = Console()
    for day, facts in view["capacity"].items():
        if not facts["chairs"]:
            continue
        hours = capacity.hours_on(WEEKDAYS[date.fromisoformat(day).weekday()])
        opens, closes = hours or (8 * 60, 18 * 60)
        rows = chair_board(view["bookings"], day, facts["chairs"], opens // 60, -(-closes // 60))
        columns = [Column("chair"), *(Column(h) for h in list(rows[0])[1:])]
        booked, room = facts["booked_minutes"], facts["chair_minutes"]
        title = f"{day}: {booked} of {room} chair-minutes ({booked / room:.0%})"
        cells = (list(row.values()) for row in rows)
        console.print(people_table(columns, cells, wide=True, title=title))
    console.print("course ids shortened to 4 characters; · is a free hour")
    console.print(load_chart(view["capacity"], width=30))
