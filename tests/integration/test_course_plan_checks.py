"""Course starts that depart from the guideline, or from today, on SQLite and PostgreSQL.

A departure from the guideline's dose is refused without a reason; with one, the course
records who overrode and why, and every re-plan keeps the override. A start far from
today is refused unless the course is a backfill.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from ivig_workflow.domain.course.model import DoseOptions, DoseOverride
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.rule_words import first_error
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.views import course_view
from ivig_workflow.service.ward_events import receive_event
from tests.integration.course_driver import RULEBOOK, row_counts
from tests.unit.dose_factories import assert_quoted

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
DAY_ONE = date(2026, 1, 19)
VASCULITIS_DOSE = (
    "all case series of patients with systemic vasculitic syndromes have so far been treated "
    "with a total dose of 2 g per kg body weight."
)


def _command(**fields: Any) -> StartCourse:
    values: dict[str, Any] = {
        "patient_ref": "PSN-7",
        "indication": "wegener-granulomatosis",
        "start_date": DAY_ONE,
        "weight_kg": 70,
        "course_id": "c-1",
        "actor": "dr-a",
    }
    return StartCourse(**{**values, **fields})


def _view(engine: Engine) -> dict[str, Any]:
    view = course_view(engine, "c-1")
    assert view is not None
    return view


def test_a_dose_below_the_guideline_is_refused_without_a_reason(engine: Engine) -> None:
    assert_quoted(VASCULITIS_DOSE)
    before = row_counts(engine)
    with pytest.raises(InputError) as refused:
        start_course(
            _command(dose_options=DoseOptions(g_per_kg=1.0)),
            engine=engine,
            rulebook=RULEBOOK,
            now=NOW,
        )
    assert refused.value.field == "g_per_kg"
    assert "2 g per kg" in refused.value.rule
    assert row_counts(engine) == before


def test_an_override_records_who_and_why_and_survives_a_replan(engine: Engine) -> None:
    start_course(
        _command(dose_options=DoseOptions(reduced_dose=True), override_reason="frail, 91 years"),
        engine=engine,
        rulebook=RULEBOOK,
        now=NOW,
    )
    view = _view(engine)
    override = view["override"]
    assert (override["reason"], override["by"]) == ("frail, 91 years", "dr-a")
    assert "only for renal involvement" in override["departures"][0]
    assert "reduced dose should be used" in override["departures"][0]
    cycle = view["cycles"][0]
    assert cycle["prescribed_g"] == 70  # 1 g/kg
    assert cycle["delivered_fraction"] == round(cycle["total_g"] / 70, 4)
    # A new weight re-plans the cycle; the override and its dose hold.
    at = NOW + timedelta(days=1)
    answer = receive_event(
        {
            "type": "observation.recorded",
            "key": "obs-1",
            "course_id": "c-1",
            "occurred_at": at.isoformat(),
            "data": {"weight_kg": 80},
        },
        engine=engine,
        rulebook=RULEBOOK,
        now=at,
    )
    assert answer.status == "applied", answer
    view = _view(engine)
    assert view["cycles"][0]["total_g"] == pytest.approx(80, rel=0.05)
    assert view["override"] == override


def test_a_reason_without_a_departure_is_refused(engine: Engine) -> None:
    with pytest.raises(InputError) as refused:
        start_course(
            _command(override_reason="just in case"), engine=engine, rulebook=RULEBOOK, now=NOW
        )
    assert refused.value.field == "override_reason"


def test_a_client_cannot_write_the_override_itself(engine: Engine) -> None:
    forged = DoseOptions(reduced_dose=True, override=DoseOverride(reason="x", by="someone"))
    with pytest.raises(InputError) as refused:
        start_course(_command(dose_options=forged), engine=engine, rulebook=RULEBOOK, now=NOW)
    assert refused.value.field == "dose_options.override"


@pytest.mark.parametrize(
    ("start", "backfill", "refused"),
    [
        (date(2025, 12, 6), False, False),  # 30 days back: the edge of the window
        (date(2025, 12, 5), False, True),  # 31 days back
        (date(2025, 12, 5), True, False),
        (date(2026, 7, 4), False, False),  # 180 days ahead
        (date(2026, 7, 5), False, True),
        (date(2030, 1, 1), True, False),
    ],
)
def test_a_start_far_from_today_needs_backfill(
    engine: Engine, start: date, backfill: bool, refused: bool
) -> None:
    command = _command(indication="dermatomyositis", start_date=start, backfill=backfill)
    if refused:
        with pytest.raises(InputError) as error:
            start_course(command, engine=engine, rulebook=RULEBOOK, now=NOW)
        assert error.value.field == "start_date"
        assert "backfill" in error.value.rule
    else:
        start_course(command, engine=engine, rulebook=RULEBOOK, now=NOW)
        planned = date.fromisoformat(_view(engine)["cycles"][0]["planned_start"])
        # The first cycle moves to the nearest date whose days are all open (issue 11).
        assert timedelta(0) <= planned - start <= timedelta(days=3)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"weight_kg": 0}, "weight_kg"), ({"egfr": 400}, "egfr"), ({"height_cm": 10}, "height_cm")],
)
def test_bad_measurements_name_their_field_in_words(
    engine: Engine, fields: dict[str, Any], field: str
) -> None:
    # The command itself carries the plausible ranges (domain/measures.py): a bad value
    # never reaches the course; the edge (API, CLI) says it in words.
    with pytest.raises(ValidationError) as refused:
        _command(indication="dermatomyositis", **fields)
    named, rule = first_error(refused.value)
    assert named == field
    assert "pydantic" not in rule and "http" not in rule
    assert engine is not None
