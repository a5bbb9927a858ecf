"""Two workers sweeping one due set on PostgreSQL: each course ticked exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import SweepReport, sweep_due
from tests.integration.course_driver import cycles_released_per_course, open_due_courses

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
COURSES = 60


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_split_a_sweep_without_doing_a_course_twice(engine: Engine) -> None:
    rulebook = load_rulebook()
    open_due_courses(engine, COURSES, NOW)
    reports: list[SweepReport] = []
    go = threading.Barrier(2)

    def worker() -> None:
        go.wait()
        reports.append(sweep_due(NOW, engine=engine, rulebook=rulebook, batch_size=5))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ticked = [action.course_id for report in reports for action in report.actions]
    assert sorted(ticked) == sorted(set(ticked))
    assert len(ticked) == COURSES
    assert all(not report.errors for report in reports)
    released = cycles_released_per_course(engine)
    assert len(released) == COURSES
    assert set(released.values()) == {1}
