"""The dashboard beyond loopback demands Prefect's basic auth: `ivig serve --dashboard-host
0.0.0.0` starts the Prefect server with the auth string, an unauthenticated API call gets
401, and the generated login is printed once and kept owner-only in the state folder."""

from __future__ import annotations

import base64
import os
import signal
import stat
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.domain.errors import InputError
from ivig_workflow.orchestrator.dashboard_auth import dashboard_credentials, is_loopback
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from tests.orchestrator.test_serve import IVIG, free_port, wait_until


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("dashboard.example", False),
    ],
)
def test_loopback_is_told_from_the_rest(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_credentials_generated_once_owner_only_or_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IVIG_DASHBOARD_AUTH", raising=False)
    said: list[str] = []
    assert dashboard_credentials("127.0.0.1", tmp_path, said.append) is None
    made = dashboard_credentials("0.0.0.0", tmp_path, said.append)
    assert made is not None and made.startswith("ivig:") and len(made) > 30
    assert dashboard_credentials("0.0.0.0", tmp_path, said.append) == made
    assert len(said) == 1 and made in said[0]  # printed the first time only
    assert stat.S_IMODE((tmp_path / "dashboard-auth").stat().st_mode) == 0o600
    monkeypatch.setenv("IVIG_DASHBOARD_AUTH", "ops:a-long-password-1")
    assert dashboard_credentials("127.0.0.1", tmp_path, said.append) == "ops:a-long-password-1"
    monkeypatch.setenv("IVIG_DASHBOARD_AUTH", "ops:short")
    with pytest.raises(InputError, match="IVIG_DASHBOARD_AUTH: must be user:password"):
        dashboard_credentials("0.0.0.0", tmp_path, said.append)


def _prefect_server_environ(port: int) -> dict[str, str]:
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            if b"server" in command and str(port).encode() in command:
                pairs = (entry / "environ").read_bytes().split(b"\0")
                return dict(p.decode().partition("=")[::2] for p in pairs if b"=" in p)
        except OSError:
            continue
    raise AssertionError(f"no Prefect server process on port {port}")


def test_serve_with_a_dashboard_beyond_loopback_demands_basic_auth(tmp_path: Path) -> None:
    state, port, dashboard_port = tmp_path / "state", free_port(), free_port()
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text("sweep: {every_seconds: 2}\ndispatch: {every_seconds: 60}\n")
    engine = ensure_schema(f"sqlite:///{state / 'ivig.sqlite3'}")
    start_course(
        StartCourse(
            patient_ref="DEMO-0001",
            indication="dermatomyositis",
            start_date=date.today() + timedelta(days=2),
            weight_kg=70,
        ),
        engine=engine,
        rulebook=load_rulebook(),
        now=datetime.now(UTC),
    )
    engine.dispose()
    env = {**os.environ, "IVIG_STATE_DIR": str(state), "IVIG_SCHEDULES_FILE": str(schedules)}
    for variable in (
        "IVIG_DATABASE_URL",
        "PREFECT_API_URL",
        "IVIG_DASHBOARD_AUTH",
        "PREFECT_API_AUTH_STRING",
        "PREFECT_SERVER_API_AUTH_STRING",
    ):
        env.pop(variable, None)
    process = subprocess.Popen(
        [
            IVIG,
            "serve",
            "--port",
            str(port),
            "--dashboard-host",
            "0.0.0.0",
            "--dashboard-port",
            str(dashboard_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    api = f"http://127.0.0.1:{dashboard_port}/api"  # traffic to loopback only
    try:
        wait_until(
            lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200, timeout=180
        )
        credentials = (state / "prefect" / "dashboard-auth").read_text().strip()
        assert _prefect_server_environ(dashboard_port)["PREFECT_SERVER_API_AUTH_STRING"] == (
            credentials
        )
        assert httpx.get(f"{api}/health").status_code == 200  # probes stay open
        anonymous = httpx.post(f"{api}/flow_runs/filter", json={})
        assert anonymous.status_code == 401, anonymous.text
        wrong = httpx.post(f"{api}/flow_runs/filter", json={}, auth=("ivig", "guess"))
        assert wrong.status_code == 401
        basic = "Basic " + base64.b64encode(credentials.encode()).decode()
        allowed = httpx.post(f"{api}/flow_runs/filter", json={}, headers={"Authorization": basic})
        assert allowed.status_code == 200, allowed.text
        # The clock's own flow runs get through: the sweep of the due course is recorded.
        wait_until(
            lambda: bool(
                httpx.post(
                    f"{api}/flow_runs/filter", json={}, headers={"Authorization": basic}
                ).json()
            ),
            timeout=60,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert output.count(credentials) == 1, output  # printed once
    assert "(basic auth)" in output
    server_log = (state / "prefect" / "server.log").read_text(errors="replace")
    assert credentials not in server_log
