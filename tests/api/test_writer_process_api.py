"""`IVIG_API_WRITER=process`: `ivig api` writes ward events from a process of its own, and
answers exactly as with the writer thread; SIGTERM stops both processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from ivig_workflow.domain.errors import InputError
from ivig_workflow.settings import api_writer_process
from tests.api.conftest import _free_port
from tests.integration.course_driver import Ward

IVIG = Path(sys.executable).with_name("ivig")
TOKEN = "writer-process-token-0123456789"


def _writers(pid: int) -> list[int]:
    """The processes multiprocessing spawned (not its resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        c for c in map(int, children) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()
    ]


def test_events_through_a_writer_process(database_url: str, engine: Engine, tmp_path: Path) -> None:
    ward = Ward.start(engine, "dermatomyositis")
    port = _free_port()
    env = {
        **os.environ,
        "IVIG_STATE_DIR": str(tmp_path),
        "IVIG_DATABASE_URL": database_url,
        "IVIG_API_TOKENS": f"ward:{TOKEN}:ward",
        "IVIG_API_WRITER": "process",
    }
    server = subprocess.Popen(
        [str(IVIG), "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    event = {
        "type": "observation.recorded",
        "course_id": ward.course_id,
        "key": "w-1",
        "occurred_at": "2026-01-05T08:00:00+00:00",
        "data": {"weight_kg": 71.5},
    }
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        writers = _writers(server.pid)
        assert len(writers) == 1, writers
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as c:
            first = c.post("/v1/events", json=event)
            again = c.post("/v1/events", json=event)
            broken = c.post("/v1/events", content=b"{not json")
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert (first.status_code, first.json()["status"]) == (201, "applied"), first.text
    assert (again.status_code, again.json()["first_status"]) == (200, "applied")
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "body"
    assert ward.view()["weight_kg"] == 71.5
    assert "Application shutdown complete" in output, output  # uvicorn then re-raises SIGTERM
    assert "Traceback" not in output, output
    assert not any(Path(f"/proc/{pid}").exists() for pid in writers), "the writer outlived"


def test_the_setting_names_its_variable_when_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVIG_API_WRITER", "fork")
    with pytest.raises(InputError) as refused:
        api_writer_process()
    assert (refused.value.field, refused.value.rule) == (
        "IVIG_API_WRITER",
        "must be thread or process, not 'fork'",
    )
    monkeypatch.setenv("IVIG_API_WRITER", "process")
    assert api_writer_process()
