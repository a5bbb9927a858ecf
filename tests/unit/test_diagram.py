"""docs/course-states.md is the diagram generated from the transition table."""

from __future__ import annotations

from ivig_workflow import settings
from ivig_workflow.domain.course import CourseState
from ivig_workflow.domain.diagram import document, edge, mermaid
from ivig_workflow.domain.transition_table import TABLE

DOC = settings.REPO_ROOT / "docs" / "course-states.md"


def test_the_checked_in_document_matches_the_generator() -> None:
    assert DOC.read_text(encoding="utf-8") == document(), (
        "regenerate docs/course-states.md (see ivig_workflow/domain/diagram.py)"
    )


def test_every_table_row_appears_in_the_diagram() -> None:
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    for row in TABLE:
        assert edge(row) + "\n" in diagram


def test_the_table_has_no_duplicate_rows_and_reaches_every_state() -> None:
    keys = [(r.from_state, r.trigger, r.guard) for r in TABLE]
    assert len(keys) == len(set(keys))
    assert {r.to_state for r in TABLE} == set(CourseState)
