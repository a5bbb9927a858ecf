"""Ingest: ward events through the service layer and through the HTTP API, against bare SQLite.

    .venv/bin/python -m bench.ingest [--courses 400] [--runs 3] [--clients 32] [--smoke]

Each run starts from a fresh database of released courses (a few opened and swept
through the service, the rest cloned), then delivers every infusion day of cycle 1
and two weight observations per course. The baseline is the same number of row
writes, one transaction per event as the service does, on a bare SQLite file with
the same settings (WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.common import median, percentile, record, round_figures
from bench.fleet import Cloner, raw_connection, start_templates
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.views import course_view
from ivig_workflow.service.ward_events import Delivery, receive_events

START = date(2027, 3, 1)
OPENED = datetime(2027, 2, 1, 8, tzinfo=UTC)
RELEASED = datetime(2027, 2, 26, 8, tzinfo=UTC)
NOW = datetime(2027, 3, 6, 8, tzinfo=UTC)  # the injected clock while events arrive
COUNTED = ("inbox", "infusion_days", "transition_log", "work_items", "outbox", "cycles")


def prepare(url: str, courses: int) -> list[dict[str, Any]]:
    """A database of `courses` released courses; returns the events to deliver, in order."""
    engine = ensure_schema(url)
    rulebook = load_rulebook()
    templates = start_templates(engine, rulebook, OPENED, [START] * 8, "i")
    sweep_due(RELEASED, engine=engine, rulebook=rulebook)
    pairs = [(t, t) for t in templates]
    pairs += Cloner(engine).clone(templates, courses - len(templates), "I")
    cycles = {t: course_view(engine, t)["cycles"][0] for t in templates}  # type: ignore[index]
    events: list[dict[str, Any]] = []
    for n, (course_id, template) in enumerate(pairs):
        cycle = cycles[template]
        for day, (when, dose) in enumerate(
            zip(cycle["planned_dates"], cycle["doses_g"], strict=True), 1
        ):
            data = {"cycle": 1, "day": day, "dose_g": dose, "product": cycle["product"]}
            data["lot_numbers"] = [f"LOT{n % 97}"]
            at = f"{when}T09:00:00+01:00"
            events.append(_event(course_id, f"{n}-d{day}", "infusion.administered", at, data))
        for k in (1, 2):
            at = f"{START.isoformat()}T0{7 + k}:00:00+01:00"
            weight = {"weight_kg": 60 + k}
            events.append(_event(course_id, f"{n}-w{k}", "observation.recorded", at, weight))
    engine.dispose()
    # Interleave courses as a ward would, rather than one course's events back to back.
    return sorted(events, key=lambda e: (e["occurred_at"], e["key"]))


def _event(course_id: str, key: str, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "course_id": course_id, "key": key, "occurred_at": at, "data": data}


def row_counts(url: str) -> int:
    with raw_connection(ensure_schema(url)) as connection:
        cursor = connection.cursor()
        total = 0
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            total += cursor.fetchone()[0]
        return int(total)


def through_service(url: str, events: list[dict[str, Any]], batch: int = 1) -> dict[str, Any]:
    """`batch` events per `receive_events` call (one transaction); latency is per call."""
    engine = ensure_schema(url)
    rulebook = load_rulebook()
    before = row_counts(url)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    cpu = time.process_time()  # this process's CPU: robust to other load on the machine
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        deliveries = [Delivery(event) for event in events[start : start + batch]]
        t = time.perf_counter()
        answers = receive_events(deliveries, engine=engine, rulebook=rulebook, now=NOW)
        latencies.append(time.perf_counter() - t)
        for answer in answers:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    inserted = row_counts(url) - before
    # Every applied event also updates its course row (and a cycle when it completes).
    writes = inserted + statuses.get("applied", 0)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "latencies": latencies,
        "statuses": statuses,
        "row_writes": writes,
    }


def bare_sqlite(
    events: int, writes: int, folder: Path, batch: int = 1, cpu: list[float] | None = None
) -> float:
    """The floor: `writes` row writes in all, one transaction per `batch` events,
    WAL + synchronous=NORMAL. Returns the wall time; its CPU time is appended to `cpu`."""
    connection = sqlite3.connect(folder / f"bare{batch}.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT UNIQUE, body TEXT)")
    per_event, extra = divmod(writes, events)
    body = "x" * 300  # about the size of a stored ward event
    cpu_started = time.process_time()
    started = time.perf_counter()
    n = 0
    for e in range(events):
        if e % batch == 0:
            connection.execute("BEGIN IMMEDIATE")
        for _ in range(per_event + (1 if e < extra else 0)):
            n += 1
            connection.execute("INSERT INTO t (key, body) VALUES (?, ?)", (f"k{n}", body))
        if e % batch == batch - 1 or e == events - 1:
            connection.execute("COMMIT")
    wall = time.perf_counter() - started
    if cpu is not None:
        cpu.append(time.process_time() - cpu_started)
    connection.close()
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--url", help="a database server to use instead of SQLite files")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--batch", type=int, default=100, help="events per batched call")
    args = parser.parse_args()
    courses, runs = (40, 1) if args.smoke else (args.courses, args.runs)
    backend = "postgresql" if args.url else "sqlite"
    service, batched, http, bare, bare_batched = [], [], [], [], []
    bare_cpu: list[float] = []
    bare_batched_cpu: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory(dir="/tmp") as folder:
            url = _fresh(args.url, Path(folder), f"svc{run}")
            events = prepare(url, courses)
            result = through_service(url, events)
            service.append(result)
            bare.append(bare_sqlite(len(events), result["row_writes"], Path(folder), 1, bare_cpu))
            url = _fresh(args.url, Path(folder), f"batch{run}")
            batched.append(through_service(url, prepare(url, courses), args.batch))
            writes = batched[-1]["row_writes"]
            bare_batched.append(
                bare_sqlite(len(events), writes, Path(folder), args.batch, bare_batched_cpu)
            )
            if not args.no_http:
                from bench.http_ingest import through_http

                url = _fresh(args.url, Path(folder), f"http{run}")
                http.append(through_http(url, prepare(url, courses), args.clients, NOW))
    n = len(events)
    wall = median([r["wall_s"] for r in service])
    bare_wall = median(bare)
    figures = {
        "events": n,
        "statuses": service[-1]["statuses"],
        "row_writes": service[-1]["row_writes"],
        "service_events_per_s": n / wall,
        "service_p50_ms": median([percentile(r["latencies"], 50) for r in service]) * 1000,
        "service_p99_ms": median([percentile(r["latencies"], 99) for r in service]) * 1000,
        "bare_sqlite_events_per_s": n / bare_wall,
    }
    batched_wall, bare_batched_wall = median([r["wall_s"] for r in batched]), median(bare_batched)
    figures.update(
        {
            "batch": args.batch,
            "batched_statuses": batched[-1]["statuses"],
            "batched_events_per_s": n / batched_wall,
            "batched_call_p50_ms": median([percentile(r["latencies"], 50) for r in batched]) * 1000,
            "bare_sqlite_batched_events_per_s": n / bare_batched_wall,
        }
    )
    # CPU time (this process's, both sides): what the other load on a shared machine
    # inflates least. The bare side's own CPU is small and moves by ~1.5x run to run.
    cpu, batched_cpu = median([r["cpu_s"] for r in service]), median([r["cpu_s"] for r in batched])
    figures.update(
        {
            "service_cpu_us_per_event": cpu / n * 1e6,
            "bare_sqlite_cpu_us_per_event": median(bare_cpu) / n * 1e6,
            "batched_cpu_us_per_event": batched_cpu / n * 1e6,
            "bare_sqlite_batched_cpu_us_per_event": median(bare_batched_cpu) / n * 1e6,
        }
    )
    ratios = {
        "service_over_bare_sqlite_time": wall / bare_wall,
        "batched_over_bare_sqlite_batched_time": batched_wall / bare_batched_wall,
        "single_over_batched_time": wall / batched_wall,
        "service_over_bare_sqlite_cpu": cpu / median(bare_cpu),
        "batched_over_bare_sqlite_batched_cpu": batched_cpu / median(bare_batched_cpu),
    }
    if http:
        figures.update(
            {
                "http_clients": args.clients,
                "http_statuses": http[-1]["statuses"],
                "http_events_timed": len(http[-1]["latencies"]),
                "http_events_per_s": median([len(r["latencies"]) / r["wall_s"] for r in http]),
                "http_p50_ms": median([percentile(r["latencies"], 50) for r in http]) * 1000,
                "http_p99_ms": median([percentile(r["latencies"], 99) for r in http]) * 1000,
                "http_floor_requests_per_s": median(
                    [len(r["floor"]["latencies"]) / r["floor"]["wall_s"] for r in http]
                ),
                "http_floor_p50_ms": median([percentile(r["floor"]["latencies"], 50) for r in http])
                * 1000,
                "http_floor_p99_ms": median([percentile(r["floor"]["latencies"], 99) for r in http])
                * 1000,
            }
        )
        # Per event: the HTTP run times all but the warm-up events.
        per_event = median([r["wall_s"] / len(r["latencies"]) for r in http])
        ratios["http_over_bare_sqlite_time"] = per_event / (bare_wall / n)
        ratios["http_over_service_time"] = per_event / (wall / n)
        # GET /healthz, same clients, same count: the HTTP stack alone.
        floor = median([r["floor"]["wall_s"] / len(r["floor"]["latencies"]) for r in http])
        ratios["http_over_http_floor_time"] = per_event / floor
    record(
        "ingest",
        {"courses": courses, "events": n, "runs": runs},
        round_figures(figures),
        round_figures(ratios),
        backend=backend,
        smoke=args.smoke,
    )


def _fresh(server: str | None, folder: Path, name: str) -> str:
    if server is None:
        return f"sqlite:///{folder / name}.sqlite3"
    from bench.pg import fresh_database

    return fresh_database(server, name)


if __name__ == "__main__":
    main()
