"""Sweep: one sweep of a database of N courses with 1 % due, against the bare indexed SELECT.

    .venv/bin/python -m bench.sweep [--sizes 10000 100000 1000000] [--runs 3] [--smoke]

Each size is measured in a fresh subprocess (peak memory is the process's own).
Every database holds, besides the 1 %, exactly `SAME_DUE` courses due at an earlier
instant, so the 1,000,000 / 10,000 ratio is also taken at the same due count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import CACHE, median, peak_rss_mb, record, round_figures
from bench.fleet import Cloner, raw_connection, start_templates
from bench.snapshot import Snapshot, db_instant
from ivig_workflow.db.engine import ensure_schema, head_revision, make_engine
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due

SAME_DUE = 100
START = date(2027, 3, 1)  # a Monday; courses are opened four weeks before
OPENED = datetime(2027, 2, 1, 8, tzinfo=UTC)


def build(url: str, size: int) -> dict[str, Any]:
    """Open templates through the service, clone them up to `size`; return the sweep instants."""
    engine = ensure_schema(url)
    rulebook = load_rulebook()
    same = min(SAME_DUE, size // 100)
    first = start_templates(engine, rulebook, OPENED, [START] * 4, "a")
    later = start_templates(engine, rulebook, OPENED, [START + timedelta(days=1)] * 4, "b")
    never = start_templates(
        engine, rulebook, OPENED, [START + timedelta(days=14 + 9 * k) for k in range(24)], "c"
    )
    cloner = Cloner(engine)
    cloner.clone(first, same - len(first), "A")
    cloner.clone(later, size // 100 - same - len(later), "B")
    cloner.clone(never, size - size // 100 - len(never), "C")
    due = _due_instants(engine, first, later, never)
    engine.dispose()
    return {"size": size, "same_due": same, "due": size // 100, **due}


def _due_instants(
    engine: Any, first: list[str], later: list[str], never: list[str]
) -> dict[str, str]:
    from ivig_workflow.service.views import course_view

    def due_of(ids: list[str]) -> list[datetime]:
        views = [course_view(engine, i) or {} for i in ids]
        return [datetime.fromisoformat(view["next_due_at"]) for view in views]

    at_same = max(due_of(first)) + timedelta(minutes=1)
    at_all = max(due_of(later)) + timedelta(minutes=1)
    assert at_same < min(due_of(later)) and at_all < min(due_of(never)), "templates overlap"
    return {"at_same": at_same.isoformat(), "at_all": at_all.isoformat()}


def cached_sqlite(size: int, fresh: bool) -> tuple[str, dict[str, Any]]:
    """The SQLite file for `size`, built once per schema revision and reused."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"sweep-{head_revision()}-{size}.sqlite3"
    meta = path.with_suffix(".json")
    if fresh or not meta.exists():
        for stale in CACHE.glob(f"{path.name}*"):
            stale.unlink()
        started = time.perf_counter()
        info = build(f"sqlite:///{path}", size)
        info["build_s"] = round(time.perf_counter() - started, 1)
        meta.write_text(json.dumps(info))
    return f"sqlite:///{path}", json.loads(meta.read_text())


def bare_select(engine: Any, at: datetime) -> float:
    """The floor: the due rows straight off the next_due_at index, nothing else."""
    mark = "%s" if engine.dialect.name == "postgresql" else "?"
    with raw_connection(engine) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        cursor.execute(
            f"SELECT * FROM courses WHERE next_due_at <= {mark} ORDER BY next_due_at, id",
            [db_instant(engine, at)],
        )
        cursor.fetchall()
        return time.perf_counter() - started


def measure(url: str, at: datetime, runs: int, workers: int = 1) -> dict[str, Any]:
    """In this (fresh) process: medians of the bare select and of the sweep, then its memory."""
    engine = make_engine(url)
    rulebook = load_rulebook()
    snapshot = Snapshot(engine, at)
    baseline = median([bare_select(engine, at) for _ in range(max(5, runs))])
    times, cpu, examined = [], [], 0
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        started, cpu_started = time.perf_counter(), time.process_time()
        if workers == 1:
            report = sweep_due(at, engine=engine, rulebook=rulebook)
            examined = report.examined
        else:
            from bench.workers import sweep_in_parallel

            examined = sweep_in_parallel(url, at, workers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        snapshot.restore()
    # The high-water mark of the sweeps themselves: tracing below adds its own.
    untraced_rss = peak_rss_mb()
    tracemalloc.start()
    sweep_due(at, engine=engine, rulebook=rulebook)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    snapshot.restore()
    sweep_s = median(times[1:])
    return round_figures(
        {
            "due": snapshot.due,
            "examined": examined,
            "sweep_s": sweep_s,
            # This process's CPU (with SQLite, the database's work too): steadier than
            # the wall clock on a shared machine; with several workers, only the parent's.
            "sweep_cpu_s": median(cpu[1:]),
            "courses_per_s": examined / sweep_s if sweep_s else 0.0,
            "bare_select_s": baseline,
            "sweep_over_select": sweep_s / baseline if baseline else 0.0,
            "traced_peak_mb": traced_peak,
            "process_peak_rss_mb": peak_rss_mb(),
            "untraced_peak_rss_mb": untraced_rss,
        }
    )


def in_subprocess(url: str, at: str, runs: int, workers: int = 1) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.sweep", "--child", url, at, str(runs), str(workers)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one small size, one run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument(
        "--max-due", type=int, default=None, help="skip the 1 %% sweep where more are due"
    )
    parser.add_argument("--child", nargs=4, metavar=("URL", "AT", "RUNS", "WORKERS"))
    args = parser.parse_args()
    if args.child:
        url, at, runs, workers = args.child
        print(json.dumps(measure(url, datetime.fromisoformat(at), int(runs), int(workers))))
        return
    sizes, runs = ([2_000], 1) if args.smoke else (args.sizes, args.runs)
    same: dict[int, float] = {}
    for size in sizes:
        url, info = cached_sqlite(size, args.fresh)
        for label, at in (("same_due", info["at_same"]), ("one_percent", info["at_all"])):
            if label == "one_percent" and args.max_due and info["due"] > args.max_due:
                print(f"skipped: {size} courses, {info['due']} due (--max-due {args.max_due})")
                continue
            figures = in_subprocess(url, at, runs)
            if label == "same_due":
                same[size] = figures["sweep_s"]
            smallest = min(same)
            ratios = {"sweep_over_bare_select": figures["sweep_over_select"]}
            if label == "same_due" and size != smallest:
                ratios[f"vs_{smallest}_same_due"] = round(figures["sweep_s"] / same[smallest], 3)
            record(
                "sweep",
                {"courses": size, "due": figures["due"], "at": label, "runs": runs},
                {**figures, "build_s": info.get("build_s")},
                ratios,
                smoke=args.smoke,
            )


if __name__ == "__main__":
    main()
