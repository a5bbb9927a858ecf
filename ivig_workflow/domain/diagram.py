"""The Mermaid state diagram of the course, generated from the transition table.

docs/course-states.md holds `document()`; a test keeps the two equal. Regenerate:
    .venv/bin/python -c "from ivig_workflow.domain.diagram import document; \
print(document(), end='')" > docs/course-states.md
"""

from __future__ import annotations

from ivig_workflow.domain.course import TERMINAL_STATES, CourseState
from ivig_workflow.domain.transition_table import TABLE, Row


def edge(row: Row) -> str:
    origin = "[*]" if row.from_state is None else row.from_state.value
    return f"    {origin} --> {row.to_state.value} : {row.trigger} [{row.guard}]"


def mermaid() -> str:
    lines = ["stateDiagram-v2", *(edge(row) for row in TABLE)]
    lines += [f"    {state.value} --> [*]" for state in CourseState if state in TERMINAL_STATES]
    return "\n".join(lines) + "\n"


def document() -> str:
    rows = "\n".join(
        f"| {'start' if r.from_state is None else r.from_state.value} | {r.trigger} | "
        f"{r.guard} | {r.to_state.value} | {r.rule} | {r.source or 'workflow policy'} |"
        for r in TABLE
    )
    return (
        "# Course states\n\n"
        "Generated from `ivig_workflow/domain/transition_table.py` by "
        "`ivig_workflow.domain.diagram.document()`; do not edit by hand.\n"
        "Labels read `trigger [guard]`. Events a state has no row for are refused "
        "and raised to the operators.\n\n"
        f"```mermaid\n{mermaid()}```\n\n"
        "| from | trigger | guard | to | rule | guideline source |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        f"{rows}\n"
    )
