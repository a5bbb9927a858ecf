"""Severe renal impairment holds a cycle before release until a physician confirms it,
on SQLite and PostgreSQL; renal risk factors shape the pre-infusion check.

Thresholds from config/dosing.yaml: eGFR below 30 asks a physician to confirm each
cycle. The eGFR is read again at each release (issue 11: "checked again before each
release").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from ivig_workflow.domain.course.model import DoseOptions
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.views import task_rows
from ivig_workflow.service.ward_events import receive_event
from tests.integration.course_driver import RULEBOOK, Ward

DAY_ONE = date(2026, 1, 19)


def _ward(engine: Engine, egfr: float | None, options: DoseOptions | None = None) -> Ward:
    opened = datetime.combine(DAY_ONE - timedelta(days=14), time(9), UTC)
    command = StartCourse(
        patient_ref="PSN-9",
        indication="pemphigus-vulgaris",
        start_date=DAY_ONE,
        weight_kg=70,
        egfr=egfr,
        course_id="renal-1",
        dose_options=options or DoseOptions(),
    )
    course = start_course(command, engine=engine, rulebook=RULEBOOK, now=opened)
    return Ward(engine, course.course_id, RULEBOOK.centres.centre(course.centre).zone)


def _release_morning(ward: Ward) -> datetime:
    return ward.local(DAY_ONE - timedelta(days=RULEBOOK.release_lead_days), 6)


def _open_tasks(engine: Engine, kind: str) -> list[Any]:
    with reading(engine) as session:
        return [t for t in task_rows(session, course_id="renal-1", status="open") if t.kind == kind]


def test_a_cycle_below_egfr_30_waits_for_a_physician(engine: Engine) -> None:
    ward = _ward(engine, egfr=20)
    assert len(ward.cycle()["planned_dates"]) == 5  # renal impairment: more days
    morning = _release_morning(ward)
    ward.tick(morning)
    cycle = ward.cycle()
    assert cycle["status"] == "planned"
    # Held at the instant the release fell due, not when the sweep ran (event time).
    release_at = ward.local(cycle["planned_dates"][0], 0) - timedelta(
        days=RULEBOOK.release_lead_days
    )
    assert morning >= release_at
    assert datetime.fromisoformat(cycle["release_held_at"]) == release_at
    (task,) = _open_tasks(engine, "confirm_release")
    assert (task.role, task.data["egfr"]) == ("physician", 20)
    assert _open_tasks(engine, "prepare_product") == []
    # Nothing is due until the physician answers: a later sweep leaves it held.
    assert ward.view()["next_due_at"] is None
    ward.tick(morning + timedelta(hours=3))
    assert ward.cycle()["status"] == "planned"

    refused = ward.send(
        "cycle.release_confirmed",
        {"cycle": 1, "reason": "dialysis planned"},
        morning + timedelta(hours=1),
    )
    assert refused.status == "refused"  # no actor: who confirms must be known
    answer = _confirm(ward, morning + timedelta(hours=2))
    assert answer.status == "applied", answer
    ward.tick(morning + timedelta(hours=3))
    cycle = ward.cycle()
    assert cycle["status"] == "released"
    confirmation = cycle["release_confirmation"]
    assert (confirmation["by"], confirmation["reason"], confirmation["egfr"]) == (
        "dr-nephro",
        "dialysis day after, agreed",
        20,
    )
    assert len(_open_tasks(engine, "prepare_product")) == 1
    ward.assert_consistent()


def _confirm(ward: Ward, at: datetime) -> Any:
    event = {
        "type": "cycle.release_confirmed",
        "course_id": ward.course_id,
        "key": "confirm-1",
        "occurred_at": at.isoformat(),
        "actor": "dr-nephro",
        "data": {"cycle": 1, "reason": "dialysis day after, agreed"},
    }
    return receive_event(event, engine=ward.engine, rulebook=RULEBOOK, now=at)


def test_the_latest_egfr_is_read_at_release(engine: Engine) -> None:
    ward = _ward(engine, egfr=80)
    assert len(ward.cycle()["planned_dates"]) == 3
    morning = _release_morning(ward)
    answer = ward.send("observation.recorded", {"egfr": 25}, morning - timedelta(days=2))
    assert answer.status == "applied"
    assert len(ward.cycle()["planned_dates"]) == 5  # re-planned from the new eGFR
    ward.tick(morning)
    assert ward.cycle()["status"] == "planned"
    assert len(_open_tasks(engine, "confirm_release")) == 1
    # The kidneys recover before the physician answers: the next sweep releases.
    ward.send("observation.recorded", {"egfr": 45}, morning + timedelta(hours=1))
    assert ward.view()["next_due_at"] is not None
    ward.tick(morning + timedelta(hours=2))
    assert ward.cycle()["status"] == "released"
    ward.assert_consistent()


def test_renal_risk_factors_shape_the_pre_infusion_check(engine: Engine) -> None:
    ward = _ward(engine, egfr=None, options=DoseOptions(age_years=72, diabetes=True))
    ward.tick(_release_morning(ward))
    (labs,) = _open_tasks(engine, "pre_infusion_labs")
    assert labs.data["renal_risk_factors"] == ["age over 65", "diabetes"]
    assert "hydration" in labs.title and "age over 65" in labs.title
    assert ward.view()["cycles"][0]["renal_risk_factors"] == ["age over 65", "diabetes"]


def test_without_risk_factors_the_check_is_the_plain_one(engine: Engine) -> None:
    ward = _ward(engine, egfr=90)
    ward.tick(_release_morning(ward))
    (labs,) = _open_tasks(engine, "pre_infusion_labs")
    assert "renal_risk_factors" not in labs.data
