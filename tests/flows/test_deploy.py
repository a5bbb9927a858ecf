"""`ivig deploy` against a Prefect server: the work pool, deployments, schedules and trigger.

Then two real process workers on PostgreSQL run one sweep deployment's flow runs
for one due set, and every due course is released exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.settings import PREFECT_API_URL
from sqlalchemy import Engine
from typer.testing import CliRunner

from ivig_workflow.cli.main import app
from tests.integration.course_driver import cycles_released_per_course, open_due_courses

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
PREFECT = str(Path(sys.executable).with_name("prefect"))


@pytest.fixture
def api_url(prefect_server: None, monkeypatch: pytest.MonkeyPatch) -> str:
    url = str(PREFECT_API_URL.value())
    monkeypatch.setenv("PREFECT_API_URL", url)
    return url


@pytest.fixture
def client(api_url: str) -> Iterator[SyncPrefectClient]:
    with get_client(sync_client=True) as opened:
        yield opened


def test_deploy_creates_the_pool_deployments_schedules_and_trigger(
    client: SyncPrefectClient,
) -> None:
    result = CliRunner().invoke(app, ["deploy", "--pool", "ivig-test", "--json"])
    assert result.exit_code == 0, result.output

    assert client.read_work_pool("ivig-test").type == "process"
    sweep = client.read_deployment_by_name("sweep/sweep-london")
    assert sweep.work_pool_name == "ivig-test"
    assert sweep.parameters == {"centre": "london"}
    assert sweep.entrypoint == "flows.sweep.sweep"
    assert [s.schedule.interval.total_seconds() for s in sweep.schedules] == [300]  # type: ignore[union-attr]
    worklist = client.read_deployment_by_name("worklist/worklist-main")
    assert [(s.schedule.cron, s.schedule.timezone) for s in worklist.schedules] == [  # type: ignore[union-attr]
        ("30 6 * * *", "Europe/Berlin")
    ]
    assert client.read_deployment_by_name("dispatch/dispatch").schedules

    ward = client.read_deployment_by_name("ward-event/ward-event")
    assert not ward.schedules
    automations = client.read_resource_related_automations(f"prefect.deployment.{ward.id}")
    assert len(automations) == 1
    trigger = automations[0].trigger
    assert trigger.expect == {"ivig.ward-event"}  # type: ignore[union-attr]
    action = automations[0].actions[0]
    assert action.deployment_id == ward.id  # type: ignore[union-attr]
    assert action.parameters == {  # type: ignore[union-attr]
        "event": "{{ event.payload }}",
        "sender": "{{ event.resource.id }}",
    }

    # Deploying again updates in place: still one automation, still one schedule.
    again = CliRunner().invoke(app, ["deploy", "--pool", "ivig-test", "--json"])
    assert again.exit_code == 0, again.output
    assert len(client.read_resource_related_automations(f"prefect.deployment.{ward.id}")) == 1
    assert len(client.read_deployment_by_name("sweep/sweep-london").schedules) == 1


def test_deploy_without_a_server_refuses_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(app, ["deploy"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == "error: PREFECT_API_URL: must name the Prefect server to deploy to"
    )


COURSES = 30
RUNS = 4


def worker(
    pool: str, name: str, api_url: str, database_url: str, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "IVIG_DATABASE_URL": database_url,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", pool, "--type", "process", "--name", name],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_process_workers_sweep_one_due_set_once(
    client: SyncPrefectClient, api_url: str, database_url: str, engine: Engine, tmp_path: Path
) -> None:
    open_due_courses(engine, COURSES, NOW)
    # Unscheduled, so only the runs made here reach the workers.
    config = tmp_path / "deployments.yaml"
    config.write_text("deployments:\n  tick:\n    flow: flows.sweep.sweep\n    per_centre: true\n")
    result = CliRunner().invoke(app, ["deploy", "--pool", "ivig-workers", "--config", str(config)])
    assert result.exit_code == 0, result.output
    deployment = client.read_deployment_by_name("sweep/tick-main")
    workers = [
        worker("ivig-workers", f"w{n}", api_url, database_url, tmp_path / f"w{n}.log")
        for n in (1, 2)
    ]
    try:
        runs = [
            client.create_flow_run_from_deployment(
                deployment.id, parameters={"at": NOW.isoformat(), "batch_size": 5}
            )
            for _ in range(RUNS)
        ]
        deadline = time.monotonic() + 90
        states: list[str] = []
        while time.monotonic() < deadline:
            states = [client.read_flow_run(run.id).state_type.value for run in runs]  # type: ignore[union-attr]
            if all(state in ("COMPLETED", "FAILED", "CRASHED") for state in states):
                break
            time.sleep(1)
        logs = "\n".join((tmp_path / f"w{n}.log").read_text(errors="replace") for n in (1, 2))
        assert states == ["COMPLETED"] * RUNS, logs[-3000:]
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(timeout=30)
    released = cycles_released_per_course(engine)
    assert len(released) == COURSES
    assert set(released.values()) == {1}
