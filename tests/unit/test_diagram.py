"""docs/course-states.md is the diagram generated from the transition table."""

from __future__ import annotations

from ivig_workflow import settings
from ivig_workflow.domain.course.diagram import document, edge, label, mermaid
from ivig_workflow.domain.course.guards import GUARDS
from ivig_workflow.domain.course.model import CourseState
from ivig_workflow.domain.course.table import TABLE

DOC = settings.REPO_ROOT / "docs" / "course-states.md"


def test_the_checked_in_document_matches_the_generator() -> None:
    assert DOC.read_text(encoding="utf-8") == document(), (
        "regenerate docs/course-states.md (see ivig_workflow/domain/course/diagram.py)"
    )


def test_every_table_row_appears_in_the_diagram() -> None:
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    for row in TABLE:
        if row.from_state == row.to_state:
            assert row.from_state is not None
            state = row.from_state.value
            loop = next(
                ln for ln in diagram.splitlines() if ln.startswith(f"    {state} --> {state} ")
            )
            assert row.trigger in loop, label(row)
        else:
            assert edge(row) + "\n" in diagram


def test_every_guard_in_the_table_is_defined_and_documented() -> None:
    guards = {row.guard for row in TABLE}
    assert guards <= set(GUARDS), guards - set(GUARDS)
    for name in guards:
        assert GUARDS[name].meaning, name
        assert f"| `{name}` |" in document()


def test_the_table_has_no_duplicate_rows_and_reaches_every_state() -> None:
    keys = [(r.from_state, r.trigger, r.guard) for r in TABLE]
    assert len(keys) == len(set(keys))
    assert {r.to_state for r in TABLE} == set(CourseState)
