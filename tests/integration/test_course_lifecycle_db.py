"""Whole courses, one per indication group, stored and driven over the database.

Each course goes through `receive_event` and `sweep_due` with an injected clock and
is read back through `course_view` (history, cycles, open tasks); at the end the
log is gapless and legal and replaying it rebuilds the stored course.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from ivig_workflow.domain.course.model import DoseOptions
from tests.integration.course_driver import Ward, assert_quoted, row_counts

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


def test_pemphigus_reviewed_without_washout_completed_by_physician(engine: Engine) -> None:
    ward = Ward.start(engine, "pemphigus-vulgaris")
    for _ in range(6):
        view = ward.run_cycle()
    assert view["state"] == "response_review"
    ward.send("response.assessed", {"outcome": "good"}, ward.local(date(2026, 7, 1)))
    for _ in range(6):
        view = ward.run_cycle()
    # Blistering diseases have no washout after cycle 12: the next cycle is planned.
    assert (view["state"], view["cycles_completed"]) == ("interval_extension", 12)
    assert view["cycles"][-1]["status"] == "planned"
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
