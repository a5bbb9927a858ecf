"""The local Prefect server: the operators' dashboard, run as a child process.

Its home (database, logs) is under the state folder, separate from our database:
Prefect's SQLite locks under bursts, and ours must not wait on it. Telemetry is
off. When PREFECT_API_URL already points at a server, none is started. With an auth
string (see dashboard_auth) the server demands it on every API call but /health.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

STARTUP_SECONDS = 60.0


class Dashboard:
    def __init__(self, home: Path, host: str, port: int, auth_string: str | None = None) -> None:
        self.home = home
        self.host = host
        self.port = port
        self.auth_string = auth_string
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        # Bound to every address, it is reached here through loopback.
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(
            PREFECT_HOME=str(self.home),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            PREFECT_SERVER_API_HOST=self.host,
            PREFECT_SERVER_API_PORT=str(self.port),
            PREFECT_UI_API_URL=self.api_url,
            PREFECT_LOGGING_LEVEL="WARNING",
        )
        env.pop("PREFECT_SERVER_API_AUTH_STRING", None)
        if self.auth_string is not None:
            env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth_string
            env["PREFECT_API_AUTH_STRING"] = self.auth_string  # the server's own clients
        return env

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        log = (self.home / "server.log").open("ab")
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
        self.process = subprocess.Popen(
            [*command, "server", "start", "--host", self.host, "--port", str(self.port)],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group: Ctrl-C in the terminal reaches us, and we stop
            # the server in order, instead of both racing to shut down.
            start_new_session=True,
        )
        self.wait_healthy()

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"the Prefect server exited with {self.process.returncode}; "
                    f"see {self.home / 'server.log'}"
                )
            try:
                if httpx.get(f"{self.api_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The whole group: the server may have started helpers of its own.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
