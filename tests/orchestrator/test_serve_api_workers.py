"""`ivig serve --api-workers 2`: the ward API from two processes on the one port, the clock
in the serving process; SIGTERM stops them all and `ivig serve` ends with 0."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests.orchestrator.test_serve import IVIG, free_port, wait_until

TOKEN = "serve-workers-token-0123456789"


def _api_processes(parent: int) -> list[int]:
    """The processes uvicorn's supervisor spawned for the API (not its resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def test_two_api_processes_answer_and_stop_with_serve(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text("sweep: {every_seconds: 1}\ndispatch: {every_seconds: 1}\n")
    env = {
        **os.environ,
        "IVIG_STATE_DIR": str(tmp_path / "state"),
        "IVIG_DATABASE_URL": database_url,
        "IVIG_SCHEDULES_FILE": str(schedules),
        "IVIG_API_TOKENS": f"ward:{TOKEN}:ward",
    }
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [IVIG, "serve", "--no-dashboard", "--port", str(port), "--api-workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Generous: three processes import the app on a machine the suite keeps busy.
        wait_until(lambda: len(_api_processes(process.pid)) == 2, timeout=120)
        healthy = lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200  # noqa: E731
        wait_until(healthy, timeout=120)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(6):  # fresh connections: whichever process takes each answers alike
            answer = httpx.get(f"http://127.0.0.1:{port}/readyz", headers=headers)
            assert answer.status_code == 200, answer.text
        workers = _api_processes(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert "API        2 processes on the one port" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "an API process outlived"
