"""`ivig tasks`: the work items the courses raised, for people to act on."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ivig_workflow.cli.people_tables import WIDE_OPTION, Column, instant, people_table
from ivig_workflow.cli.runtime import database, print_json, refusing_bad_input
from ivig_workflow.domain.course.effects import Role, WorkItemStatus
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.views import task_json, task_rows

STATUSES = tuple(status.value for status in WorkItemStatus)
ROLES = ", ".join(role.value for role in Role)


def tasks(
    course: Annotated[str | None, typer.Option("--course", help="Course id.")] = None,
    status: Annotated[str | None, typer.Option(help=", ".join(STATUSES) + ".")] = None,
    role: Annotated[str | None, typer.Option(help=ROLES + ".")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 500,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wide: bool = WIDE_OPTION,
) -> None:
    """Work items, soonest due first."""
    with refusing_bad_input():
        if status is not None and status not in STATUSES:
            raise InputError("--status", f"must be one of {', '.join(STATUSES)}")
        with reading(database()) as session:
            rows = [
                task_json(row)
                for row in task_rows(
                    session, course_id=course, status=status, role=role, limit=limit
                )
            ]
    if as_json:
        print_json(rows)
        return
    columns = (
        Column("id"),
        Column("due"),
        Column("role"),
        Column("kind", wide_only=True),
        Column("status"),
        Column("what"),
        Column("rule", wide_only=True),
    )
    cells = (
        (
            str(row["id"]),
            instant(row["due_at"]),
            row["role"],
            row["kind"],
            row["status"],
            row["title"],
            row["rule"] or "",
        )
        for row in rows
    )
    Console().print(people_table(columns, cells, wide=wide, title=f"{len(rows)} task(s)"))
