"""Ward events over HTTP from one API process and from several, in the same run.

    .venv/bin/python -m bench.http_processes [--courses 200 --runs 3 --setups 1 1+writer 2]
    .venv/bin/python -m bench.http_processes --url "$IVIG_TEST_POSTGRES_URL"  # PostgreSQL

Each run posts the same events (a fresh database each) from 32 kept-alive clients to
uvicorn on loopback, in each setup: `N` API processes on one port (uvicorn's supervisor,
as `ivig serve --api-workers N`), `N+writer` with the group commit's writer in a process
of its own (`--api-writer process`); and measures `GET /healthz` from the same clients
against the same server as the floor. The figure to read is p99 over the floor's p99, per
setup; the run alternates the setups so that the machine's load hits each. Also the CPU
the server's processes spent per timed event (from /proc), which the shared machine's
load does not inflate as it does the latencies.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bench.common import median, percentile, record
from bench.http_ingest import through_http
from bench.ingest import NOW, _fresh, prepare


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--setups", nargs="+", default=["1", "1+writer", "2"])
    parser.add_argument("--url", help="a database server to use instead of SQLite files")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {setup: [] for setup in args.setups}
    for run in range(args.runs):
        for n, setup in enumerate(args.setups):
            workers, writer_process = int(setup.split("+")[0]), setup.endswith("+writer")
            with tempfile.TemporaryDirectory(dir="/tmp") as folder:
                url = _fresh(args.url, Path(folder), f"httpw{n}r{run}")
                events = prepare(url, args.courses)
                result = through_http(
                    url, events, args.clients, NOW, workers=workers, writer_process=writer_process
                )
                results[setup].append(result)
                print(f"run {run}, {setup}: {_line(result)}", flush=True)
    backend = "postgresql" if args.url else "sqlite"
    for setup, runs in results.items():
        p99 = median([percentile(r["latencies"], 99) for r in runs]) * 1000
        floor_p99 = median([percentile(r["floor"]["latencies"], 99) for r in runs]) * 1000
        figures = {
            "setup": setup,
            "server_cpu_ms_per_event": median([r["cpu_ms_per_event"] for r in runs]),
            "http_clients": args.clients,
            "http_statuses": runs[-1]["statuses"],
            "http_events_timed": len(runs[-1]["latencies"]),
            "http_events_per_s": median([len(r["latencies"]) / r["wall_s"] for r in runs]),
            "http_p50_ms": median([percentile(r["latencies"], 50) for r in runs]) * 1000,
            "http_p99_ms": p99,
            "http_floor_p50_ms": median([percentile(r["floor"]["latencies"], 50) for r in runs])
            * 1000,
            "http_floor_p99_ms": floor_p99,
        }
        ratios = {
            "p99_over_floor_p99_per_run": [_ratio(r) for r in runs],
            "p99_over_floor_p99": round(median([_ratio(r) for r in runs]), 2),
        }
        record(
            "http_ingest",
            {"courses": args.courses, "runs": args.runs},
            {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()},
            ratios,
            backend=backend,
        )


def _ratio(result: dict[str, Any]) -> float:
    floor = percentile(result["floor"]["latencies"], 99)
    return round(percentile(result["latencies"], 99) / floor, 2)


def _line(result: dict[str, Any]) -> str:
    lat, floor = result["latencies"], result["floor"]["latencies"]
    return (
        f"{len(lat) / result['wall_s']:.0f} events/s, p50 {percentile(lat, 50) * 1000:.1f} ms, "
        f"p99 {percentile(lat, 99) * 1000:.1f} ms; /healthz p99 "
        f"{percentile(floor, 99) * 1000:.1f} ms; ratio {_ratio(result)} {result['statuses']}; "
        f"server CPU {result['cpu_ms_per_event']:.3f} ms per event"
    )


if __name__ == "__main__":
    main()
