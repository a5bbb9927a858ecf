"""The sweep flow runs one task per batch of due courses, never one per course held."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
from prefect.client.schemas.objects import State
from sqlalchemy import Engine

from flows.sweep import sweep
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
BATCH = 5


def start(engine: Engine, number: int, start_date: date, centre: str = "main") -> str:
    course = start_course(
        StartCourse(
            patient_ref=f"DEMO-{number:04d}",
            indication="dermatomyositis",
            start_date=start_date,
            weight_kg=70,
            centre=centre,
        ),
        engine=engine,
        rulebook=load_rulebook(),
        now=NOW,
    )
    return course.course_id


async def task_run_names(flow_run_id: UUID, expected: int) -> list[str]:
    """The flow run's task runs, once `expected` of them are recorded (or after 30 s):
    Prefect 3 records task runs from events, after the flow has returned."""
    async with get_client() as client:
        for _ in range(60):
            runs = await client.read_task_runs(
                task_run_filter=TaskRunFilter(
                    flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id])
                )
            )
            if len(runs) >= expected:
                break
            await asyncio.sleep(0.5)
    return sorted(run.name for run in runs)


def test_task_runs_follow_the_batches_due_not_the_courses_held(
    prefect_server: None, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    engine = ensure_schema(url)
    # 8 due (2 batches of 5) at the main centre, among 40 held for spring and
    # 3 due at London, which a sweep of the main centre leaves alone.
    due = [start(engine, number, date(2026, 1, 7)) for number in range(8)]
    for number in range(100, 140):
        start(engine, number, date(2026, 4, 1))
    london = [start(engine, number, date(2026, 1, 7), "london") for number in range(200, 203)]

    state: State[dict[str, Any]] = asyncio.run(
        sweep(  # type: ignore[arg-type]
            at=NOW, centre="main", database_url=url, batch_size=BATCH, return_state=True
        )
    )
    report = state.result()
    assert report["batches"] == 2
    assert sorted(action["course_id"] for action in report["actions"]) == sorted(due)
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    assert asyncio.run(task_run_names(flow_run_id, 2)) == ["sweep-batch-1", "sweep-batch-2"]

    rest = asyncio.run(sweep(at=NOW, centre="london", database_url=url, batch_size=BATCH))
    assert rest["batches"] == 1
    assert sorted(action["course_id"] for action in rest["actions"]) == sorted(london)
    engine.dispose()
