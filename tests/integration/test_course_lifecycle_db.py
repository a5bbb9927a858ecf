"""Whole courses, one per indication group, stored and driven over the database.

Each course goes through `receive_event` and `sweep_due` with an injected clock and
is read back through `course_view` (history, cycles, open tasks); at the end the
log is gapless and legal and replaying it rebuilds the stored course.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import col

from ivig_workflow.db.tables import WorkItemRow
from ivig_workflow.domain.course.model import DoseOptions
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.worklist import centre_worklist
from tests.integration.course_driver import RULEBOOK, Ward, assert_quoted, row_counts

MYOSITIS_LONG_TERM = (
    "Therapeutic efficacy should have been achieved after 6 treatment cycles, however, or "
    "else the IVIg treatment should be discontinued. After 12 treatment cycles, a washout "
    "period should be attempted"
)


def _states(view: dict[str, object]) -> list[object]:
    history = view["history"]
    assert isinstance(history, list)
    return [entry["to"] for entry in history]


def _kinds(view: dict[str, object]) -> set[str]:
    tasks = view["open_tasks"]
    assert isinstance(tasks, list)
    return {task["kind"] for task in tasks}


def test_dermatomyositis_review_extension_washout_relapse_new_series(engine: Engine) -> None:
    assert_quoted(MYOSITIS_LONG_TERM)
    ward = Ward.start(engine, "dermatomyositis")
    assert ward.view()["state"] == "initiation"
    for number in range(1, 7):
        view = ward.run_cycle(days=[3, 1, 2] if number == 2 else None)  # any order completes
        assert view["cycles_completed"] == number
    assert view["state"] == "response_review"
    assert "assess_response" in _kinds(view)
    # No further cycle is released while the response is under review.
    later = ward.local(date(2026, 9, 1))
    before = row_counts(engine)
    assert ward.tick(later).actions == []
    assert row_counts(engine) == before

    last_day = view["cycles"][-1]["planned_dates"][-1]
    answer = ward.send("response.assessed", {"outcome": "good"}, ward.local(last_day, 16))
    assert (answer.status, answer.state) == ("applied", "interval_extension")
    intervals = [ward.view()["interval_weeks"]]
    for _ in range(7, 13):
        view = ward.run_cycle()
        intervals.append(view["interval_weeks"])
    assert intervals == [5, 6, 6, 6, 6, 6, 6]
    starts = [date.fromisoformat(c["planned_start"]) for c in view["cycles"]]
    gaps = [(b - a).days for a, b in itertools.pairwise(starts)]
    assert max(gaps) <= 6 * 7 + 3  # the interval, plus the days the centre is closed
    assert gaps[6] >= 5 * 7  # cycle 7 followed the good review at 5 weeks

    assert view["state"] == "washout"
    assert view["cycles_completed"] == 12
    assert all(c["status"] == "completed" for c in view["cycles"])  # infusions stop
    due = view["next_due_at"]
    assert due is not None
    report = ward.tick(ward.local(date.fromisoformat(due[:10]) + timedelta(days=1)))
    assert [a.actions for a in report.actions] == [["washout.relapse_check"]]
    assert "assess_relapse" in _kinds(ward.view())

    answer = ward.send("relapse.reported", {"note": "weakness"}, ward.local(date(2027, 3, 1)))
    assert (answer.status, answer.state) == ("applied", "active")
    view = ward.run_cycle()
    assert (view["series"], view["interval_weeks"], view["cycles_completed"]) == (2, 4, 13)
    assert view["cycles"][12]["number_in_series"] == 1
    states = _states(view)
    for expected in ("response_review", "interval_extension", "washout", "active"):
        assert expected in states
    assert states.index("washout") < len(states) - 1
    ward.assert_consistent()


BLISTERING_LONG_TERM = (
    "Long-term therapy with IVIg is recommended only in rare cases. An exception to this "
    "are cases in which disease recurrence occurs after withdrawal of IVIg therapy and no "
    "other treatment options exist. Regular washout periods should be attempted."
)


def _tasks(engine: Engine, course_id: str, kind: str) -> list[WorkItemRow]:
    with reading(engine) as session:
        return list(
            session.scalars(
                select(WorkItemRow).where(
                    col(WorkItemRow.course_id) == course_id, col(WorkItemRow.kind) == kind
                )
            ).all()
        )


def test_pemphigus_long_term_decision_then_completed_by_physician(engine: Engine) -> None:
    # Issue 11 changed this test: blistering courses used to run on 4-6 weekly after
    # the review; now a physician decides on long-term use and the decision recurs.
    assert_quoted(BLISTERING_LONG_TERM)
    ward = Ward.start(engine, "pemphigus-vulgaris")
    for _ in range(6):
        view = ward.run_cycle()
    assert view["state"] == "response_review"
    answer = ward.send(
        "response.assessed", {"outcome": "good"}, ward.local(date(2026, 7, 1)), actor="dr-r"
    )
    assert (answer.status, answer.state) == ("applied", "long_term_decision")
    # The review's task closed when its answer was recorded; the decision's opened.
    [review] = _tasks(engine, ward.course_id, "assess_response")
    assert (review.status.value, review.closed_by) == ("done", "dr-r")
    assert review.close_reason == "response recorded: good (response.assessed)"
    view = ward.view()
    [decision] = [t for t in view["open_tasks"] if t["kind"] == "long_term_decision"]
    assert " ".join(BLISTERING_LONG_TERM.split()) in decision["citation"]
    morning = centre_worklist(engine, RULEBOOK, "main", ward.local(date(2026, 7, 2), 6))
    assert "long_term_decision" in {row.kind for row in morning.reviews_due}
    before = row_counts(engine)
    assert ward.tick(ward.local(date(2027, 1, 1))).actions == []  # nothing runs on silently
    assert row_counts(engine) == before
    refused = ward.send(
        "long_term.decided",
        {"decision": "continue", "justification": "why"},
        ward.local(date(2026, 7, 2)),
    )
    assert (refused.status, refused.rule) == ("refused", "long_term.decided_by")
    why = "recurrence after each withdrawal, no other treatment option"
    answer = ward.send(
        "long_term.decided",
        {"decision": "continue", "justification": why},
        ward.local(date(2026, 7, 2)),
        actor="dr-b",
    )
    assert (answer.status, answer.state) == ("applied", "interval_extension")
    entry = ward.view()["history"][-1]
    assert (entry["rule"], entry["actor"], entry["reason"]) == ("long_term.continued", "dr-b", why)
    [item] = _tasks(engine, ward.course_id, "long_term_decision")
    assert (item.status.value, item.closed_by) == ("done", "dr-b")
    for _ in range(6):
        view = ward.run_cycle()
    # Six cycles on, the decision comes back with the prompt to attempt a washout.
    assert (view["state"], view["cycles_completed"]) == ("long_term_decision", 12)
    assert not [c for c in view["cycles"] if c["status"] == "planned"]
    answer = ward.send(
        "course.completed", {"reason": "remission off therapy"}, ward.local(date(2027, 2, 1))
    )
    assert (answer.status, answer.state) == ("applied", "completed")
    view = ward.view()
    assert view["history"][-1]["event_type"] == "course.completed"
    assert view["next_due_at"] is None
    assert ward.tick(ward.local(date(2028, 1, 1))).actions == []
    ward.assert_consistent()


def test_vasculitis_partial_response_hold_and_discontinuation(engine: Engine) -> None:
    ward = Ward.start(engine, "wegener-granulomatosis")
    for _ in range(6):
        ward.run_cycle()
    answer = ward.send("response.assessed", {"outcome": "partial"}, ward.local(date(2026, 7, 1)))
    assert (answer.status, answer.state) == ("applied", "long_term_decision")  # issue 11
    answer = ward.send(
        "long_term.decided",
        {"decision": "continue", "justification": "renal vasculitis still active"},
        ward.local(date(2026, 7, 1), 12),
        actor="dr-v",
    )
    assert (answer.status, answer.state) == ("applied", "active")
    assert ward.view()["interval_weeks"] == 4
    cycle = ward.release()
    first = ward.give(cycle, [1])
    assert first[0].state == "active"
    severe = {"severity": "severe", "description": "aseptic meningitis"}
    held = ward.send("adverse_event.reported", severe, ward.local(cycle["planned_dates"][0], 18))
    assert held.state == "on_hold"
    refused = ward.give(cycle, [2])[0]
    assert refused.status == "refused"
    resumed = ward.send("course.resumed", None, ward.local(date(2026, 9, 1)))
    assert resumed.state == "active"
    ended = ward.send("course.discontinued", {"reason": "physician"}, ward.local(date(2026, 9, 2)))
    assert (ended.status, ended.state) == ("applied", "discontinued")
    assert _states(ward.view())[-3:] == ["on_hold", "active", "discontinued"]
    ward.assert_consistent()


def test_lupus_with_kidney_involvement_five_days_then_non_response(engine: Engine) -> None:
    assert_quoted(
        "In the case of severe organ involvement such as kidney or heart involvement in "
        "particular, the treatment period should generally be increased to 5 days."
    )
    options = DoseOptions(organ_involvement=("kidney",))
    ward = Ward.start(engine, "systemic-lupus-erythematosus", dose_options=options)
    for _ in range(6):
        view = ward.run_cycle()
    assert all(len(c["planned_dates"]) == 5 for c in view["cycles"])
    answer = ward.send("response.assessed", {"outcome": "none"}, ward.local(date(2026, 8, 1)))
    assert (answer.status, answer.state) == ("applied", "discontinued")
    ward.assert_consistent()


@pytest.mark.parametrize(
    ("indication", "days", "quote"),
    [
        ("toxic-epidermal-necrolysis", 3, "Only one cycle of treatment is usually required"),
        ("kawasaki-disease", 1, "Only 1 cycle in Kawasaki´s disease and TEN"),  # noqa: RUF001 - verbatim
    ],
)
def test_single_cycle_course_completes_after_its_cycle(
    engine: Engine, indication: str, days: int, quote: str
) -> None:
    assert_quoted(quote)
    ward = Ward.start(engine, indication)
    view = ward.run_cycle()
    assert len(view["cycles"]) == 1
    assert len(view["cycles"][0]["planned_dates"]) == days
    assert (view["state"], view["cycles_completed"], view["next_due_at"]) == ("completed", 1, None)
    assert [h["to"] for h in view["history"]][-1] == "completed"
    ward.assert_consistent()
