"""Two API processes on one database (`ivig serve --api-workers 2`, `ivig api --workers 2`)
each gather their own group commit; the database settles what they race for. Two ward
systems send every event twice, once to each process, at the same moment: nothing is
lost, nothing is applied twice, and the database ends as when one process took each
event once (the inbox's unique key and the course row's version hold across processes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from ivig_workflow.db.engine import make_engine, upgrade
from ivig_workflow.service.rulebook import load_rulebook
from tests.conftest import _fresh_postgres_database
from tests.reliability.harness import TOKEN, events, free_port, open_courses

IVIG = str(Path(sys.executable).with_name("ivig"))
COURSES, PER_COURSE = 6, 25


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Courses keyed by patient, so that two databases compare."""
    queries = {
        "courses": "SELECT p.ref, c.state, c.weight_kg, c.version, c.cycles_completed "
        "FROM courses c JOIN patients p ON p.id = c.patient_id",
        "inbox": "SELECT key, status, type, state_after, reason FROM inbox",
        "transitions": "SELECT p.ref, t.seq, t.to_state, t.trigger, t.event_key "
        "FROM transition_log t JOIN courses c ON c.id = t.course_id "
        "JOIN patients p ON p.id = c.patient_id",
        "outbox": "SELECT p.ref, o.role, o.status FROM outbox o JOIN courses c "
        "ON c.id = o.course_id JOIN patients p ON p.id = c.patient_id",
    }
    with engine.connect() as connection:
        return {
            name: sorted(tuple(str(v) for v in row) for row in connection.execute(text(sql)))
            for name, sql in queries.items()
        }


@pytest.fixture
def reference_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    else:
        yield from _fresh_postgres_database()


class ApiProcess:
    def __init__(self, url: str, log: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "IVIG_DATABASE_URL": url, "IVIG_API_TOKENS": f"ward:{TOKEN}"}
        self.process = subprocess.Popen(
            [IVIG, "api", "--port", str(self.port)],
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"ivig api did not start; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _send(port: int, queue: list[dict[str, Any]], answers: dict[str, list[int]]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as c:
        for event in queue:
            response = c.post("/v1/events", json=event)
            answers.setdefault(event["key"], []).append(response.status_code)


def _deliver(url: str, processes: int, log: Path) -> dict[str, list[int]]:
    """Every course's events, in order, to each of `processes` API processes at once:
    one ward system per course and process, each event answered before the next."""
    per_course = events(open_courses(make_engine(url), load_rulebook(), COURSES), PER_COURSE)
    servers = [ApiProcess(url, log.with_suffix(f".{n}.log")) for n in range(processes)]
    answers: list[dict[str, list[int]]] = []
    threads = []
    try:
        for server in servers:
            for course_events in per_course:
                answers.append({})
                target, args = _send, (server.port, course_events, answers[-1])
                threads.append(threading.Thread(target=target, args=args))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        for server in servers:
            server.stop()
    codes: dict[str, list[int]] = {}
    for sender in answers:
        for key, got in sender.items():
            codes.setdefault(key, []).extend(got)
    return codes


def test_two_processes_given_the_same_events_apply_each_once(
    database_url: str, reference_url: str, tmp_path: Path
) -> None:
    engine, reference = make_engine(database_url), make_engine(reference_url)
    upgrade(engine)
    upgrade(reference)
    once = _deliver(reference_url, 1, tmp_path / "reference")
    assert all(got == [201] for got in once.values())
    twice = _deliver(database_url, 2, tmp_path / "twice")
    assert len(twice) == COURSES * PER_COURSE
    assert all(sorted(got) == [200, 201] for got in twice.values()), {
        k: v for k, v in twice.items() if sorted(v) != [200, 201]
    }
    ours, theirs = _snapshot(engine), _snapshot(reference)
    for table in theirs:
        assert ours[table] == theirs[table], table
    engine.dispose()
    reference.dispose()
