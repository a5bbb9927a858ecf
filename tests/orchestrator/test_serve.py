"""`ivig serve` as a subprocess: answers /healthz, sweeps, restarts, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.views import course_view

IVIG = str(Path(sys.executable).with_name("ivig"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(state: Path, port: int) -> subprocess.Popen[str]:
    schedules = state / "schedules.yaml"
    schedules.write_text("sweep: {every_seconds: 1}\ndispatch: {every_seconds: 1}\n")
    env = {
        **os.environ,
        "IVIG_STATE_DIR": str(state),
        "IVIG_SCHEDULES_FILE": str(schedules),
    }
    env.pop("IVIG_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen(
        [IVIG, "serve", "--no-dashboard", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def released(engine: Engine, course_id: str) -> bool:
    view = course_view(engine, course_id)
    return view is not None and view["cycles"][0]["status"] == "released"


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    return output


def test_serve_answers_sweeps_survives_a_restart_and_stops_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state"
    engine = ensure_schema(f"sqlite:///{state / 'ivig.sqlite3'}")
    now = datetime.now(UTC)
    course = start_course(
        StartCourse(
            patient_ref="DEMO-0001",
            indication="dermatomyositis",
            start_date=date.today() + timedelta(days=2),
            weight_kg=70,
        ),
        engine=engine,
        rulebook=load_rulebook(),
        now=now,
    )
    port = free_port()
    process = start(state, port)
    try:
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200)
        # The clock's sweep releases the first cycle (due a week ahead) by itself.
        wait_until(lambda: released(engine, course.course_id))
    finally:
        output = stop(process)
    assert f"http://127.0.0.1:{port}" in output
    history = course_view(engine, course.course_id)["history"]  # type: ignore[index]
    process = start(state, port)
    try:
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200)
        time.sleep(2.5)  # a few sweeps after the restart
    finally:
        stop(process)
    # Restarted: nothing repeated, nothing lost.
    assert course_view(engine, course.course_id)["history"] == history  # type: ignore[index]
    engine.dispose()
