"""The flows under the Prefect test harness: run names, and artifacts holding the right rows."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from flows.dispatch import dispatch
from flows.sweep import sweep
from flows.worklist import worklist
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)


async def latest(key: str) -> Any:
    async with get_client() as client:
        found = await client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
        )
    assert found, key
    return found[0].data


async def run_names() -> list[str]:
    async with get_client() as client:
        return [run.name for run in await client.read_flow_runs()]


def test_sweep_dispatch_and_worklist_leave_artifacts(
    prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_STATE_DIR", str(tmp_path))  # notifications.jsonl goes here
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    engine = ensure_schema(url)
    course = start_course(
        StartCourse(
            patient_ref="DEMO-0001",
            indication="dermatomyositis",
            start_date=date(2026, 1, 6),
            weight_kg=70,
        ),
        engine=engine,
        rulebook=load_rulebook(),
        now=NOW,
    )
    swept = asyncio.run(sweep(at=NOW, database_url=url))
    assert swept["batches"] == 1
    sent = asyncio.run(dispatch(at=NOW, database_url=url))
    assert sent["claimed"] == sent["delivered"] >= 1
    today = asyncio.run(worklist(centre="main", at=NOW, database_url=url))
    assert today["infusions_tomorrow"] == 1

    sweep_rows = asyncio.run(latest("sweep-main"))
    assert course.course_id in str(sweep_rows) and "DEMO-0001" in str(sweep_rows)
    tomorrow = asyncio.run(latest("worklist-main-tomorrow"))
    assert "DEMO-0001" in str(tomorrow) and "octagam" in str(tomorrow)
    assert "nothing due" in str(asyncio.run(latest("worklist-main-today")))
    # The run re-planned the chairs: tomorrow's infusion sits in a chair, and the
    # dashboard shows today's board, the week's load as a table and as bars.
    assert today["chairs_bookings"] >= 1 and today["chairs_solver"] != "empty"
    board = asyncio.run(latest("worklist-main-chairs-today"))
    assert "chair" in str(board) and "08" in str(board)
    week = str(asyncio.run(latest("worklist-main-chairs-week")))
    assert "2026-01-06" in week and "booked_minutes" in week
    load = str(asyncio.run(latest("worklist-main-chairs-load")))
    assert "Chair load at main" in load and "█" in load
    names = asyncio.run(run_names())
    assert "sweep-all-2026-01-05T08:00Z" in names
    assert "worklist-main-2026-01-05T08:00Z" in names
    engine.dispose()
