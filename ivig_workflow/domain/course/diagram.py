"""The Mermaid state diagram of the course, generated from the transition table.

docs/course-states.md holds `document()`; a test keeps the two equal. Regenerate
with `make docs`. Self-loops (an event recorded without leaving the state) are
grouped into one edge per state, so the diagram shows the course's path.
"""

from __future__ import annotations

from itertools import groupby

from ivig_workflow.domain.course.guards import GUARDS
from ivig_workflow.domain.course.model import TERMINAL_STATES, CourseState
from ivig_workflow.domain.course.table import TABLE, Row


def label(row: Row) -> str:
    return f"{row.trigger} [{row.guard}]"


def edge(row: Row) -> str:
    origin = "[*]" if row.from_state is None else row.from_state.value
    return f"    {origin} --> {row.to_state.value} : {label(row)}"


def _self_loops() -> list[str]:
    loops = sorted(
        (row for row in TABLE if row.from_state == row.to_state and row.from_state is not None),
        key=lambda row: list(CourseState).index(row.to_state),
    )
    lines = []
    for state, rows in groupby(loops, key=lambda row: row.to_state):
        triggers = sorted({row.trigger for row in rows})
        lines.append(f"    {state.value} --> {state.value} : records {', '.join(triggers)}")
    return lines


def mermaid() -> str:
    moves = [edge(row) for row in TABLE if row.from_state != row.to_state]
    lines = ["stateDiagram-v2", *moves, *_self_loops()]
    lines += [f"    {state.value} --> [*]" for state in CourseState if state in TERMINAL_STATES]
    return "\n".join(lines) + "\n"


def _guards() -> str:
    used = sorted({row.guard for row in TABLE})
    return "\n".join(
        f"| `{name}` | {GUARDS[name].meaning} | {GUARDS[name].reads or '-'} |" for name in used
    )


def document() -> str:
    rows = "\n".join(
        f"| {'start' if r.from_state is None else r.from_state.value} | {r.trigger} | "
        f"{r.guard} | {r.to_state.value} | {r.rule} | {r.source or 'workflow policy'} |"
        for r in TABLE
    )
    return (
        "# Course states\n\n"
        "Generated from `ivig_workflow/domain/course/table.py` and `guards.py` by "
        "`ivig_workflow.domain.course.diagram.document()` (`make docs`); do not edit by hand.\n"
        "Labels read `trigger [guard]`; an event that keeps the state is drawn as one "
        "`records ...` loop per state. Events a state has no row for are refused "
        "and raised to the operators.\n\n"
        f"```mermaid\n{mermaid()}```\n\n"
        "## Guards\n\n"
        "A handler reports each step under a guard; the state machine checks the guard's "
        "predicate against the course before and after the step.\n\n"
        "| guard | fires when | reads |\n| --- | --- | --- |\n"
        f"{_guards()}\n\n"
        "## Transitions\n\n"
        "| from | trigger | guard | to | rule | guideline source |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        f"{rows}\n"
    )
