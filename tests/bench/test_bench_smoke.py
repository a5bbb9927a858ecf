"""The smoke sizes of the benchmarks CI runs: each appends its result lines, and what
they counted is right. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _smoke(workload: str, tmp_path: Path) -> list[dict[str, Any]]:
    results = tmp_path / "results.jsonl"
    subprocess.run(
        [sys.executable, "-m", f"bench.{workload}", "--smoke"],
        cwd=REPO,
        env={
            "IVIG_BENCH_CACHE": str(tmp_path / "cache"),
            "IVIG_BENCH_RESULTS": str(results),
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert all(line["workload"] == workload and line["smoke"] is True for line in lines)
    return lines


def test_the_sweep_smoke_run_sweeps_every_due_course(tmp_path: Path) -> None:
    lines = _smoke("sweep", tmp_path)
    assert len(lines) == 2  # the sweep at the same due count, and at 1 % due
    assert all(line["figures"]["examined"] == line["figures"]["due"] > 0 for line in lines)


def test_the_scale_smoke_run_sweeps_the_same_due_count_at_both_sizes(tmp_path: Path) -> None:
    (line,) = _smoke("sweep_scale", tmp_path)
    # Both databases hold the same 100 courses due at one instant, whatever their size.
    assert line["figures"]["examined"] == [100]
    assert line["size"] == {"small": 10_000, "large": 20_000, "pairs": 2}
    assert line["ratios"]["large_over_small_same_due"] > 0


def test_the_ingest_smoke_run_applies_every_event_each_way(tmp_path: Path) -> None:
    (line,) = _smoke("ingest", tmp_path)
    figures = line["figures"]
    # One by one, in batches and over HTTP: every event applied, none lost or twice.
    assert figures["statuses"] == figures["batched_statuses"] == {"applied": figures["events"]}
    assert figures["http_statuses"] == {"applied": figures["http_events_timed"]}
    assert set(line["ratios"]) >= {"service_over_bare_sqlite_time", "http_over_http_floor_time"}


def test_the_simulated_year_smoke_run_gives_the_cycles_it_releases(tmp_path: Path) -> None:
    (line,) = _smoke("simulated_year", tmp_path)
    figures = line["figures"]
    assert figures["courses"] == 20 and figures["sweeps"] == 30 * 24
    assert figures["courses_changed_by_sweeps"] > 0
    assert figures["statuses"].get("applied", 0) > 0


def test_the_scheduling_smoke_run_never_overbooks_and_books_every_cycle(tmp_path: Path) -> None:
    (line,) = _smoke("scheduling", tmp_path)
    figures = line["figures"]
    for method in ("fcfs", "optimiser"):
        assert figures[method]["days_over_capacity"] == 0
        assert figures[method]["cycles_booked"] + figures[method]["cycles_missed_window"] > 0
    assert figures["optimiser"]["solvers"].keys() <= {"optimal", "feasible", "fallback"}
    wanted = {"peak_load_optimiser_over_fcfs", "utilisation_optimiser_over_fcfs"}
    assert set(line["ratios"]) >= wanted
