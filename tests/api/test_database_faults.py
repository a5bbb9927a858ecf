"""A failing database is told apart from a busy one (issue 12, finding 3).

Read-only and full SQLite file systems (a tmpfs remounted read-only, or filled), and a
private PostgreSQL server stopped and started again: writes answer 503 `unavailable`
with the cause, `/readyz` turns 503, token checks and reads answer 503 rather than 500,
the failure is logged once per change of state, and the service resumes without a
restart. (Tests run as root, for whom chmod stops no write: hence the mounts.)
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from ivig_workflow.api.app import create_app
from ivig_workflow.api.tokens import TokenStore, create_token
from ivig_workflow.db.engine import make_engine, upgrade
from ivig_workflow.service.rulebook import Rulebook
from tests.api.conftest import TOKENS, MovableClock, _free_port, on_loopback

HEADERS = {"Authorization": f"Bearer {TOKENS['ward-a']}"}
COURSE = {
    "patient_ref": "PSN-0001",
    "indication": "dermatomyositis",
    "start_date": "2026-01-12",
    "weight_kg": 70,
}


def weight(course_id: str, key: str, note: str = "") -> dict[str, Any]:
    return {
        "type": "observation.recorded",
        "course_id": course_id,
        "key": key,
        "occurred_at": "2026-01-05T09:05:00+01:00",
        "actor": "nurse" + note,
        "data": {"weight_kg": 71.5},
    }


@contextmanager
def serving(engine: Engine, rulebook: Rulebook, tokens: Any = None) -> Iterator[httpx.Client]:
    app = create_app(
        engine=engine,
        rulebook=rulebook,
        clock=MovableClock(),
        tokens=TOKENS if tokens is None else tokens,
    )
    with (
        on_loopback(app) as url,
        httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client,
    ):
        yield client


@contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="ivig-fault-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip()}): needs root and "
            "CAP_SYS_ADMIN to fake a read-only or full file system"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def fill(filler: Path) -> None:
    """Fill the file system to its last block."""
    try:
        with filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
    except OSError:
        pass


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ivig_workflow.db"]


def assert_unavailable(response: httpx.Response, cause: str) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unavailable" and cause in body["reason"], body
    assert "concurrent writers" not in response.text


def test_a_read_only_sqlite_file_system_is_unavailable_then_recovers(
    rulebook: Rulebook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ivig_workflow.db")
    with tmpfs("32m") as folder:
        engine = make_engine(f"sqlite:///{folder / 'ivig.sqlite3'}")
        upgrade(engine)
        with serving(engine, rulebook) as client:
            course_id = client.post("/v1/courses", json=COURSE).json()["course_id"]
            assert client.post("/v1/events", json=weight(course_id, "w-0")).status_code == 201
            engine.dispose()  # Linux remounts read-only only with no file open for writing
            remount(folder, "ro")
            try:
                for n in range(1, 6):
                    response = client.post("/v1/events", json=weight(course_id, f"w-{n}"))
                    assert_unavailable(response, "read-only")
                assert_unavailable(client.get("/readyz"), "read-only")
                assert_unavailable(client.post("/v1/courses", json=COURSE), "read-only")
                # WAL mode cannot even read without writing its -shm file: 503, not 500.
                assert_unavailable(client.get(f"/v1/courses/{course_id}"), "read-only")
            finally:
                remount(folder, "rw")
            assert client.post("/v1/events", json=weight(course_id, "w-1")).status_code == 201
            assert client.get("/readyz").status_code == 200
        engine.dispose()
    logged = failures(caplog)
    assert len(logged) == 2, logged  # once failing, once recovered: not once per request
    assert "read-only" in logged[0] and "available again" in logged[1]


def test_a_full_sqlite_disk_is_unavailable_then_recovers(rulebook: Rulebook) -> None:
    with tmpfs("4m") as folder:
        engine = make_engine(f"sqlite:///{folder / 'ivig.sqlite3'}")
        upgrade(engine)
        with serving(engine, rulebook) as client:
            course_id = client.post("/v1/courses", json=COURSE).json()["course_id"]
            filler = folder / "filler"
            fill(filler)
            pad = "x" * 60_000  # each event then needs fresh pages in the WAL
            answers = [
                client.post("/v1/events", json=weight(course_id, f"f-{n}", pad)) for n in range(8)
            ]
            assert_unavailable(answers[-1], "disk is full")
            assert {a.status_code for a in answers} <= {201, 503}
            filler.unlink()
            after = client.post("/v1/events", json=weight(course_id, "f-7", pad))
            assert after.status_code == 201, after.text
            assert client.get("/readyz").status_code == 200
        engine.dispose()


def _postgres_bin() -> Path:
    initdb = shutil.which("initdb")
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    found = Path(initdb) if initdb else (candidates[0] if candidates else None)
    if found is None:
        pytest.skip("no PostgreSQL server binaries (initdb) to start a private server")
    return found.parent


class PrivatePostgres:
    """A server of this test's own: stopping the shared one would fail other tests."""

    def __init__(self, folder: Path) -> None:
        self.bin, self.folder, self.port = _postgres_bin(), folder, _free_port()
        self.data = folder / "data"
        self.owner = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else []
        shutil.chown(folder, "postgres") if self.owner else None
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C",
        )

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.owner, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    # Not under tmp_path: pytest's folder is root's alone, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="ivig-pg-fault-"))
    folder.chmod(0o755)
    try:
        server = PrivatePostgres(folder)
        server.start()
        try:
            yield server
        finally:
            subprocess.run(
                [
                    *server.owner,
                    str(server.bin / "pg_ctl"),
                    "-D",
                    str(server.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_a_stopped_postgres_is_unavailable_and_the_service_resumes(
    private_postgres: PrivatePostgres, rulebook: Rulebook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ivig_workflow.db")
    engine = make_engine(private_postgres.url)
    upgrade(engine)
    issued = create_token(engine, "lab-gateway", now=datetime(2026, 1, 5, tzinfo=UTC))
    tokens = TokenStore.from_plain(engine, TOKENS)
    with serving(engine, rulebook, tokens) as client:
        course_id = client.post("/v1/courses", json=COURSE).json()["course_id"]
        assert client.post("/v1/events", json=weight(course_id, "p-0")).status_code == 201
        private_postgres.stop()
        try:
            for n in range(1, 4):
                response = client.post("/v1/events", json=weight(course_id, f"p-{n}"))
                assert_unavailable(response, "cannot be reached")
            assert_unavailable(client.get("/readyz"), "cannot be reached")
            assert_unavailable(client.get(f"/v1/courses/{course_id}"), "cannot be reached")
            by_issued_token = client.get(
                f"/v1/courses/{course_id}", headers={"Authorization": f"Bearer {issued}"}
            )
            assert_unavailable(by_issued_token, "cannot be reached")
        finally:
            private_postgres.start()
        assert client.post("/v1/events", json=weight(course_id, "p-1")).status_code == 201
        assert client.get("/readyz").status_code == 200
        again = client.get("/readyz", headers={"Authorization": f"Bearer {issued}"})
        assert again.status_code == 200
    engine.dispose()
    logged = failures(caplog)
    assert len(logged) == 2, logged
    assert "cannot be reached" in logged[0] and "available again" in logged[1]
