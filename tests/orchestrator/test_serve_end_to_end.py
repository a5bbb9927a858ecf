"""`ivig serve` end to end: a course and a ward event through the API, then the
transition, the task and a notification delivered to a real webhook receiver,
all within one dispatch interval; SIGTERM ends it with exit code 0."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from ivig_workflow.settings import config_dir
from tests.unit.notify.receiver import Receiver, running

IVIG = str(Path(sys.executable).with_name("ivig"))
TOKEN = "ward-system-token-0123456789abcdef"
DISPATCH_SECONDS = 2.0


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def configuration(folder: Path, hook_url: str) -> Path:
    """The shipped config, with notifications routed to the receiver as well."""
    config = folder / "config"
    shutil.copytree(config_dir(), config)
    (config / "notifications.yaml").write_text(
        "sinks:\n"
        "  ward-log: {type: jsonl, path: notifications.jsonl}\n"
        f"  ward-hook: {{type: webhook, url: '{hook_url}', secret_env: E2E_HOOK_SECRET}}\n"
        "routes:\n"
        "  infusion_nurse: [ward-log, ward-hook]\n"
        "  pharmacy: [ward-log, ward-hook]\n"
        "  physician: [ward-log, ward-hook]\n"
        "  operator: [ward-log, ward-hook]\n"
    )
    (folder / "schedules.yaml").write_text(
        f"sweep: {{every_minutes: 60}}\ndispatch: {{every_seconds: {DISPATCH_SECONDS}}}\n"
    )
    return config


def wait_for(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until `check` held; fails after `timeout`."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if check():
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


def test_a_ward_event_becomes_transition_task_and_delivered_notification(tmp_path: Path) -> None:
    with running(Receiver(secret="e2e-secret")) as receiver:
        config = configuration(tmp_path, receiver.url)
        port = free_port()
        env = {
            **os.environ,
            "IVIG_STATE_DIR": str(tmp_path / "state"),
            "IVIG_CONFIG_DIR": str(config),
            "IVIG_SCHEDULES_FILE": str(tmp_path / "schedules.yaml"),
            "IVIG_API_TOKENS": f"ward:{TOKEN}",
            "E2E_HOOK_SECRET": "e2e-secret",
        }
        env.pop("IVIG_DATABASE_URL", None)
        env.pop("PREFECT_API_URL", None)
        process = subprocess.Popen(
            [IVIG, "serve", "--no-dashboard", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"})
        try:
            wait_for(lambda: api.get("/healthz").status_code == 200, 30)
            started = api.post(
                "/v1/courses",
                json={
                    "patient_ref": "E2E-0001",
                    "indication": "dermatomyositis",
                    "start_date": (date.today() + timedelta(days=20)).isoformat(),
                    "weight_kg": 70,
                },
            )
            assert started.status_code == 201, started.text
            course_id = started.json()["course_id"]
            event = {
                "type": "adverse_event.reported",
                "course_id": course_id,
                "key": "e2e-ae-1",
                "occurred_at": datetime.now(UTC).isoformat(),
                "data": {"severity": "severe", "description": "anaphylaxis"},
            }
            answer = api.post("/v1/events", json=event)
            assert answer.status_code in (200, 201), answer.text
            assert answer.json()["status"] == "applied"
            # A severe reaction holds the course and asks the physician (a task); a
            # later moderate one is told to the physician (a notification).
            rash = {"severity": "moderate", "description": "rash"}
            later = {**event, "key": "e2e-ae-2", "data": rash}
            assert api.post("/v1/events", json=later).json()["status"] == "applied"

            course = api.get(f"/v1/courses/{course_id}").json()
            assert course["history"][-1]["to"] == course["state"] == "on_hold"
            tasks = api.get("/v1/tasks", params={"course_id": course_id, "status": "open"})
            assert tasks.json()["items"], tasks.text
            # One dispatch interval (plus the clock's own jitter) brings it to the receiver.
            arrived = arrives(receiver, course_id, DISPATCH_SECONDS + 3)
        finally:
            api.close()
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
    assert arrived, (receiver.requests, output)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output


def arrives(receiver: Receiver, course_id: str, timeout: float) -> bool:
    try:
        wait_for(lambda: any(course_id in str(m) for m in receiver.accepted), timeout)
    except AssertionError:
        return False
    return True
