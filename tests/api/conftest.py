"""A real uvicorn server on loopback over the migrated database (SQLite and PostgreSQL).

The server's clock is a `MovableClock` the test sets, so that a whole course can run in
seconds; the sweep is called directly on the same database, as the scheduled flow would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, func
from sqlmodel import select

from ivig_workflow.api.app import create_app
from ivig_workflow.service.rulebook import Rulebook, load_rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.unit_of_work import reading

TOKENS = {"ward-a": "token-of-ward-a-0123456789", "ward-b": "token-of-ward-b-9876543210"}


@dataclass
class MovableClock:
    now: datetime = datetime(2026, 1, 5, 8, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class LiveApi:
    url: str
    engine: Engine
    clock: MovableClock
    rulebook: Rulebook
    client: httpx.Client
    anonymous: httpx.Client
    counter: int = field(default=0)

    def start_course(self, **fields: Any) -> dict[str, Any]:
        body = {
            "patient_ref": "PSN-0001",
            "indication": "dermatomyositis",
            "start_date": "2026-01-12",
            "weight_kg": 70,
            **fields,
        }
        response = self.client.post("/v1/courses", json=body)
        assert response.status_code == 201, response.text
        course: dict[str, Any] = response.json()
        return course

    def sweep(self, at: datetime) -> None:
        self.clock.now = at
        report = sweep_due(at, engine=self.engine, rulebook=self.rulebook)
        assert not report.errors, report.errors

    def count(self, table: Any) -> int:
        with reading(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)


def infusion(
    course_id: str, key: str, cycle: int, day: int, dose_g: float, on: str
) -> dict[str, Any]:
    return {
        "type": "infusion.administered",
        "course_id": course_id,
        "key": key,
        "occurred_at": f"{on}T09:00:00+01:00",
        "data": {
            "cycle": cycle,
            "day": day,
            "dose_g": dose_g,
            "product": "privigen",
            "lot_numbers": [f"LOT-{cycle}-{day}"],
        },
    }


def local_morning(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=5)


def local_evening(day: str) -> datetime:
    """The server's clock once the ward's events of `day` have happened: since issue 11
    an event dated after its arrival (beyond the clock skew) is refused."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=20)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def on_loopback(app: Any) -> Iterator[str]:
    """A real uvicorn server for `app` on a free loopback port; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()


@pytest.fixture
def api(engine: Engine, rulebook: Rulebook) -> Iterator[LiveApi]:
    clock = MovableClock()
    app = create_app(engine=engine, rulebook=rulebook, clock=clock, tokens=TOKENS)
    headers = {"Authorization": f"Bearer {TOKENS['ward-a']}"}
    with (
        on_loopback(app) as url,
        httpx.Client(base_url=url, headers=headers, timeout=30) as client,
        httpx.Client(base_url=url, timeout=30) as anonymous,
    ):
        yield LiveApi(url, engine, clock, rulebook, client, anonymous)
