"""What every benchmark shares: the machine, the commit, medians, and the results file.

Machines are shared and noisy, so each script measures its own baseline in the same
run and the ratio is the figure to trust; the absolute figures say where we stand
on this particular box today.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Tests point this elsewhere, so that a smoke run in CI leaves the recorded figures alone.
RESULTS = Path(os.environ.get("IVIG_BENCH_RESULTS", REPO / "bench" / "results" / "results.jsonl"))
# Large databases live on disk under /tmp, built once and reused (keyed by schema revision).
CACHE = Path(os.environ.get("IVIG_BENCH_CACHE", "/tmp/ivig-bench"))


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # Uncommitted work is measured too; say so rather than pretend it is HEAD.
    return head + ("+dirty" if git("status", "--porcelain", "--", "ivig_workflow", "flows") else "")


def record(
    workload: str,
    size: dict[str, Any],
    figures: dict[str, Any],
    ratios: dict[str, Any] | None = None,
    *,
    backend: str = "sqlite",
    smoke: bool = False,
) -> dict[str, Any]:
    line = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "workload": workload,
        "backend": backend,
        "smoke": smoke,
        "size": size,
        "figures": figures,
        "ratios": ratios or {},
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(line) + "\n")
    print(json.dumps({k: line[k] for k in ("workload", "backend", "size", "figures", "ratios")}))
    return line


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def repeat(runs: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(runs)]


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux: the process's high-water mark so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def round_figures(figures: dict[str, Any], digits: int = 4) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in figures.items()}
