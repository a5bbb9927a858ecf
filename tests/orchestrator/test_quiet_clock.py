"""The clock starts a flow run only when there is work: an idle centre does not bury
the dashboard under thousands of empty sweep and dispatch runs a day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.orchestrator.jobs import Runtime, run_flow
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook


async def _flow_runs() -> int:
    async with get_client() as client:
        return len(await client.read_flow_runs())


def test_nothing_due_starts_no_flow_run(prefect_server: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'quiet.sqlite3'}"
    ensure_schema(url).dispose()
    runtime = Runtime(database_url=url, prefect_api=str(PREFECT_API_URL.value()))
    before = asyncio.run(_flow_runs())
    assert run_flow("sweep", "main", runtime) == {"flow_run": "skipped: nothing due"}
    assert run_flow("dispatch", None, runtime) == {"flow_run": "skipped: nothing due"}
    assert asyncio.run(_flow_runs()) == before


def test_a_due_course_starts_one_sweep_run(prefect_server: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    engine = ensure_schema(url)
    start_course(
        StartCourse(
            patient_ref="PSN-0042",
            indication="dermatomyositis",
            start_date=datetime.now(UTC).date(),
            weight_kg=70,
        ),
        engine=engine,
        rulebook=load_rulebook(),
        now=datetime.now(UTC) - timedelta(days=1),
    )
    runtime = Runtime(database_url=url, prefect_api=str(PREFECT_API_URL.value()))
    before = asyncio.run(_flow_runs())
    outcome = run_flow("sweep", "main", runtime)
    assert outcome["examined"] == 1
    assert asyncio.run(_flow_runs()) == before + 1
