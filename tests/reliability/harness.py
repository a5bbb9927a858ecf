"""A kill -9 harness: `ivig api` as a real subprocess on loopback over a SQLite file,
killed at random moments while clients send ward events with retries, then compared
row by row with a run that was never killed.

Clients keep each course's events in order and retry an event (same key) until it gets
a definite answer, as a ward system does. `run(kills=0)` is the reference; the figures
say how many events were lost (a key the reference stored and the killed run did not)
or doubled (a key answered 201 twice, or a course whose version moved more than the
reference's), and how many rows differ.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

from ivig_workflow.db.engine import ensure_schema, make_engine
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import Rulebook, load_rulebook

IVIG = str(Path(sys.executable).with_name("ivig"))
TOKEN = "reliability-token-0123456789abcdef"
BASE = datetime(2026, 1, 5, 8, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Figures:
    kills: int = 0
    events: int = 0
    lost: int = 0
    doubled: int = 0
    differing: int = 0
    wall_s: float = 0.0
    retries: int = 0
    differences: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"kills {self.kills}  events {self.events}  lost {self.lost}  doubled "
            f"{self.doubled}  differing rows {self.differing}  retries {self.retries}  "
            f"wall {self.wall_s:.1f} s"
        )


def prepare(state: Path, courses: int) -> list[str]:
    """Courses PSN-0000... in a fresh SQLite file; their ids differ run to run, so rows are
    compared by patient reference."""
    engine = ensure_schema(f"sqlite:///{state / 'ivig.sqlite3'}")
    ids = open_courses(engine, load_rulebook(), courses)
    engine.dispose()
    return ids


def open_courses(engine: Engine, rulebook: Rulebook, courses: int) -> list[str]:
    """Dermatomyositis courses for patients PSN-0000, PSN-0001, ..., opened at `BASE`."""
    return [
        start_course(
            StartCourse(
                patient_ref=f"PSN-{n:04d}",
                indication="dermatomyositis",
                start_date=date(2026, 3, 2),
                weight_kg=70,
            ),
            engine=engine,
            rulebook=rulebook,
            now=BASE,
        ).course_id
        for n in range(courses)
    ]


def events(course_ids: list[str], per_course: int) -> list[list[dict[str, Any]]]:
    """Per course, in order: weights measured a minute apart (each one applies)."""
    return [
        [
            {
                "type": "observation.recorded",
                "course_id": course_id,
                "key": f"rel-{n}-{i}",
                "occurred_at": (BASE + timedelta(minutes=i)).isoformat(),
                "data": {"weight_kg": round(60 + n * 0.5 + i * 0.1, 1)},
            }
            for i in range(per_course)
        ]
        for n, course_id in enumerate(course_ids)
    ]


class Server:
    """`ivig api` on a loopback port, started again after each kill -9."""

    def __init__(self, state: Path) -> None:
        self.state, self.port = state, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "IVIG_STATE_DIR": str(state),
            "IVIG_API_TOKENS": f"reliability:{TOKEN}",
        }
        self.env.pop("IVIG_DATABASE_URL", None)

    def start(self) -> None:
        log = (self.state / "api.log").open("ab")
        self.process = subprocess.Popen(
            [IVIG, "api", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"ivig api did not start; see {self.state / 'api.log'}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


class Sender:
    """One ward system: its courses' events in order, each retried until answered."""

    def __init__(self, url: str, queue: list[list[dict[str, Any]]]) -> None:
        self.url, self.queue = url, queue
        self.answers: dict[str, list[int]] = {}
        self.retries = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as client:
            for course_events in self.queue:
                for event in course_events:
                    self._send(client, event)

    def _send(self, client: httpx.Client, event: dict[str, Any]) -> None:
        while True:
            try:
                response = client.post("/v1/events", json=event)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code < 500:
                self.answers.setdefault(event["key"], []).append(response.status_code)
                return
            self.retries += 1
            time.sleep(0.05)  # the server is restarting: the same key again shortly


def run(
    state: Path, *, courses: int, per_course: int, kills: int, senders: int = 4, seed: int = 12
) -> tuple[Figures, dict[str, Any]]:
    state.mkdir(parents=True, exist_ok=True)
    course_events = events(prepare(state, courses), per_course)
    server = Server(state)
    server.start()
    clients = [Sender(server.url, course_events[n::senders]) for n in range(senders)]
    threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
    figures = Figures(events=courses * per_course)
    began = time.monotonic()
    chance = random.Random(seed)
    for thread in threads:
        thread.start()
    try:
        while any(t.is_alive() for t in threads) and figures.kills < kills:
            time.sleep(chance.uniform(0.05, 0.6))  # a kill at a random moment
            if not any(t.is_alive() for t in threads):
                break
            server.kill()
            figures.kills += 1
            server.start()
        for thread in threads:
            thread.join(timeout=600)
    finally:
        server.stop()
    figures.wall_s = time.monotonic() - began
    figures.retries = sum(c.retries for c in clients)
    answers = {k: v for c in clients for k, v in c.answers.items()}
    figures.doubled = sum(1 for codes in answers.values() if codes.count(201) > 1)
    return figures, snapshot(state)


def snapshot(state: Path) -> dict[str, Any]:
    """What the database holds, keyed so that two runs compare: courses by patient."""
    engine = make_engine(f"sqlite:///{state / 'ivig.sqlite3'}")
    with engine.connect() as connection:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return sorted(tuple(r) for r in connection.execute(text(sql)))

        shot = {
            "courses": rows(
                "SELECT p.ref, c.state, c.weight_kg, c.version, c.series, "
                "c.cycles_completed FROM courses c JOIN patients p "
                "ON p.id = c.patient_id"
            ),
            "cycles": rows(
                "SELECT p.ref, y.number, y.status, y.plan FROM cycles y JOIN "
                "courses c ON c.id = y.course_id JOIN patients p "
                "ON p.id = c.patient_id"
            ),
            "infusion_days": rows(
                "SELECT y.number, d.day, d.dose_g, d.event_key FROM "
                "infusion_days d JOIN cycles y ON y.id = d.cycle_id"
            ),
            "inbox": rows("SELECT key, status, type, state_after, reason FROM inbox"),
            "transitions": rows(
                "SELECT p.ref, t.seq, t.to_state, t.trigger, t.event_key "
                "FROM transition_log t JOIN courses c ON c.id = t.course_id "
                "JOIN patients p ON p.id = c.patient_id"
            ),
        }
    engine.dispose()
    return shot


def compare(figures: Figures, reference: dict[str, Any], killed: dict[str, Any]) -> Figures:
    stored = {row[0] for row in killed["inbox"]}
    figures.lost = sum(1 for row in reference["inbox"] if row[0] not in stored)
    for table, rows in reference.items():
        theirs = killed[table]
        extra, missing = set(theirs) - set(rows), set(rows) - set(theirs)
        figures.differing += len(extra) + len(missing) + abs(len(theirs) - len(rows))
        figures.differences += [f"{table} +{r}" for r in list(extra)[:3]]
        figures.differences += [f"{table} -{r}" for r in list(missing)[:3]]
    return figures


def main() -> None:
    """`make soak`: hundreds of kills (SOAK_KILLS, default 300)."""
    import tempfile

    kills = int(os.environ.get("SOAK_KILLS", "300"))
    courses, per_course = int(os.environ.get("SOAK_COURSES", "40")), kills // 4 + 10
    with tempfile.TemporaryDirectory(prefix="ivig-soak-") as folder:
        _, reference = run(
            Path(folder) / "reference", courses=courses, per_course=per_course, kills=0
        )
        figures, killed = run(
            Path(folder) / "killed", courses=courses, per_course=per_course, kills=kills
        )
        compare(figures, reference, killed)
    print(figures.line())
    for difference in figures.differences:
        print("  ", difference)
    if figures.lost or figures.doubled or figures.differing:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
