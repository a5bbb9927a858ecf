"""Opening many courses at once (a centre's go-live) stores what opening each would."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.courses import StartCourse, start_course, start_courses
from ivig_workflow.service.views import course_view
from tests.integration.course_driver import RULEBOOK, row_counts

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _command(n: int, indication: str) -> StartCourse:
    return StartCourse(
        patient_ref=f"PSN-{n % 3}",
        indication=indication,
        start_date=date(2026, 1, 19),
        weight_kg=60 + n,
        course_id=f"course-{n}",
    )


def _plain(engine: Engine, course_id: str) -> dict[str, object]:
    view = course_view(engine, course_id)
    assert view is not None
    return {k: v for k, v in view.items() if k not in ("course_id", "open_tasks")}


def test_courses_opened_together_match_courses_opened_one_by_one(engine: Engine) -> None:
    indications = ["dermatomyositis", "kawasaki-disease", "toxic-epidermal-necrolysis"]
    alone = [
        start_course(_command(n, i), engine=engine, rulebook=RULEBOOK, now=NOW)
        for n, i in enumerate(indications)
    ]
    together = start_courses(
        [
            _command(n + 10, i).model_copy(update={"weight_kg": 60 + n, "patient_ref": f"PSN-{n}"})
            for n, i in enumerate(indications)
        ],
        engine=engine,
        rulebook=RULEBOOK,
        now=NOW,
    )
    assert [c.course_id for c in together] == ["course-10", "course-11", "course-12"]
    for one, other in zip(alone, together, strict=True):
        assert _plain(engine, other.course_id) == _plain(engine, one.course_id)


def test_one_refused_course_opens_none(engine: Engine) -> None:
    start_course(_command(1, "dermatomyositis"), engine=engine, rulebook=RULEBOOK, now=NOW)
    before = row_counts(engine)
    with pytest.raises(InputError, match="course-1"):
        start_courses(
            [_command(2, "dermatomyositis"), _command(1, "dermatomyositis")],
            engine=engine,
            rulebook=RULEBOOK,
            now=NOW,
        )
    with pytest.raises(InputError, match="twice"):
        start_courses(
            [_command(3, "dermatomyositis")] * 2, engine=engine, rulebook=RULEBOOK, now=NOW
        )
    assert row_counts(engine) == before
