"""The Mermaid state diagram of the course, generated from the transition table.

docs/course-states.md holds `document()`; a test keeps the two equal. Regenerate:
    .venv/bin/python -c "from ivig_workflow.domain.diagram import document; \
print(document(), end='')" > docs/course-states.md
"""

from __future__ import annotations

from ivig_workflow.domain.course import TERMINAL_STATES, CourseState
from ivig_workflow.domain.deviation import DEVIATION_KINDS, MEANING, PHARMACY_KINDS, REFUSALS
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
        f"{_event_time()}"
        f"{_deviations()}"
    )


def _event_time() -> str:
    return (
        "\n## Event time\n\n"
        "A ward event is decided at the instant it happened (`occurred_at`), not when it "
        "arrived or when the sweep last ran. Before deciding it, the course catches up on "
        "every time-driven step due by `occurred_at` (the sweep's `cycle_due`, "
        "`cycle_overdue` and `relapse_check_due` rows above), in the same decision and "
        "transaction; those steps are logged as `tick` under the event's key. What the "
        "sweep records carries the instant a step fell due (`released_at` = the release "
        "instant, `escalated_at` = the overdue instant, one relapse check per due date), "
        "never the sweep's own clock, so the states, cycles and effects a sequence of "
        "events produces do not depend on when, or whether, the sweep ran in between. A "
        "refused event changes nothing, its catch-up included. The received instant "
        "(`ivig event --now`, the server's clock) only decides whether an event is dated "
        "in the future.\n"
    )


def _deviations() -> str:
    kinds = "\n".join(
        f"| `{kind}` | deviation.{kind} | {MEANING[kind][0]} | {MEANING[kind][1]} | "
        f"physician{', pharmacy' if kind in PHARMACY_KINDS else ''} |"
        for kind in DEVIATION_KINDS
    )
    refusals = "\n".join(f"| {rule} | {meaning} |" for rule, meaning in REFUSALS)
    return (
        "\n## Deviations\n\n"
        "An infusion that fits an open course is applied even where it departs from the "
        "plan; each departure is kept with its cycle (kind, expected, actual, rule, "
        "citation), returned in the event's answer, listed under `deviations` of the "
        "course, and raises a `review_deviation` work item and a notification. A physician "
        "acknowledges a cycle's deviations of one kind with `deviation.acknowledged` "
        "(data: cycle, kind, reason), which closes the physician's work item. Tolerances "
        "live in `config/deviations.yaml`.\n\n"
        "| kind | rule | meaning | passage | work item for |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"{kinds}\n\n"
        "Refused instead (409, kept in the inbox with the reason):\n\n"
        "| rule | when |\n"
        "| --- | --- |\n"
        f"{refusals}\n"
    )
