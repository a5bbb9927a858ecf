"""Two workers sweeping one due set on PostgreSQL: each course ticked exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from ivig_workflow.db.engine import make_engine
from ivig_workflow.service import sweep_claims
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


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_with_their_own_connections_examine_each_due_course_once(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker has its own engine (pool, course cache), as a second process would.
    Both hold their first batch at the same time, so the second claim runs while the
    first one's rows are locked; claims shrink as the work runs out (the batch size is
    above the smallest claim, which is lowered so that 60 courses reach the tail)."""
    monkeypatch.setattr(sweep_claims, "MIN_CLAIM", 2)
    rulebook = load_rulebook()
    open_due_courses(engine, COURSES, NOW)
    claimed: dict[str, list[list[str]]] = {}
    both_hold_a_batch = threading.Barrier(2, timeout=60)
    real_claim = sweep_claims.claim

    def spying_claim(*args: Any) -> tuple[list[tuple[str, datetime]], int]:
        due, asked = real_claim(*args)
        batches = claimed.setdefault(threading.current_thread().name, [])
        batches.append([course_id for course_id, _ in due])
        if len(batches) == 1:
            both_hold_a_batch.wait()  # rows locked, transaction open
        return due, asked

    monkeypatch.setattr("ivig_workflow.service.sweep.claim", spying_claim)
    reports: dict[str, SweepReport] = {}

    def worker(own: Engine) -> None:
        reports[threading.current_thread().name] = sweep_due(
            NOW, engine=own, rulebook=rulebook, batch_size=12
        )

    engines = [make_engine(database_url) for _ in range(2)]
    threads = [
        threading.Thread(target=worker, args=(own,), name=f"worker-{n}")
        for n, own in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for own in engines:
        own.dispose()
    examined = [
        course_id for batches in claimed.values() for batch in batches for course_id in batch
    ]
    assert len(examined) == len(set(examined)) == COURSES  # each once, none lost
    assert all(batches[0] for batches in claimed.values()) and len(claimed) == 2
    sizes = [len(batch) for batches in claimed.values() for batch in batches if batch]
    assert max(sizes) == 12 and min(sizes) < 12  # full claims first, shrinking at the end
    assert sum(report.examined for report in reports.values()) == COURSES
    assert all(not report.errors for report in reports.values())
    released = cycles_released_per_course(engine)
    assert len(released) == COURSES
    assert set(released.values()) == {1}
