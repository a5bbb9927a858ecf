"""The Mermaid state diagram of the course, generated from the transition table.

docs/course-states.md holds `document()`; a test keeps the two equal. Regenerate
with `make docs`. Self-loops (an event recorded without leaving the state) are
grouped into one edge per state, so the diagram shows the course's path.
"""

from __future__ import annotations

from itertools import groupby

from ivig_workflow.domain.course.deviation import DEVIATION_KINDS, MEANING, PHARMACY_KINDS, REFUSALS
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
        f"{_event_time()}"
        f"{_deviations()}"
        f"{_rescheduled()}"
    )


def _rescheduled() -> str:
    return (
        "\n## Cycles moved by the chair scheduler\n\n"
        "`cycle.rescheduled` is the chair scheduler's own step (`ivig schedule plan`, the "
        "daily re-plan), never a ward's: the ward API refuses it by name (422). Each cycle "
        "the planner books on other days than the course has becomes this step in the "
        "transaction that writes its bookings, kept in the inbox with actor `scheduler` "
        "and replayed like a ward event. It moves a cycle not yet begun to consecutive open "
        "days inside the window it names (earliest..latest around the cycle's target) and "
        "inside the course's own (`outpatient_window` in config/course-policy.yaml), never "
        "before the day of the move and never past day 1 of the cycle before as given plus "
        "the guideline's maximum interval; anything else is refused with the rule in words "
        "(`reschedule.cycle_begun`, `reschedule.days`, `reschedule.outside_window`, "
        "`reschedule.beyond_max_interval`, `reschedule.stale_target`), and the planner "
        "gives up that cycle's new bookings and asks the infusion nurses to book it. The "
        "infusion nurses (and, for a released cycle, the pharmacy) are notified of the new "
        "dates; a released cycle goes back to planned and is released again for them.\n\n"
        "The cycle keeps its target (where the course planned it before the first move): "
        "the scheduler's window stays around it, so daily re-plans cannot walk a cycle "
        "away a few days at a time. The next cycle counts from the moved start, which is "
        "now the plan (later cycles count from the plan, as for deviations above), so the "
        "prescribed interval between two cycles holds; the maximum interval is counted "
        "from the day actually given.\n"
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
