"""`ivig api --workers 2` serves from two processes that both start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.conftest import _free_port

IVIG = Path(sys.executable).with_name("ivig")


def test_two_workers_both_start_and_answer(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "IVIG_STATE_DIR": str(tmp_path), "IVIG_API_TOKENS": "ward:secret"}
    env.pop("IVIG_DATABASE_URL", None)
    server = subprocess.Popen(
        [str(IVIG), "api", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        answer = httpx.get(
            f"http://127.0.0.1:{port}/readyz", headers={"Authorization": "Bearer secret"}
        )
        assert answer.status_code == 200
        time.sleep(2)  # let the slower worker finish starting
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert output.count("Application startup complete") == 2, output
    assert "died" not in output, output
