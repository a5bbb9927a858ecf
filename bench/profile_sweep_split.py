"""Where one sweep's time goes, in four parts: loading courses, ticking them, writing
them, and the sweep's own orchestration (claims, the look, units of work, the report).

    .venv/bin/python -m bench.profile_sweep_split [--size 100000] [--url URL --at ISO] [--runs 3]

cProfile's cumulative times of `CourseStore.load_many`, `tick`, and `CourseStore.save`
with `UnitOfWork.commit` (staging and writing) against `sweep_due`, summed over `--runs`
sweeps of the cached SQLite database (or of `--url` at `--at`), each one undone after.
Profiling inflates Python-heavy parts more than database calls, so read the shares,
not the seconds. Time spent in the cyclic collector is measured apart (gc callbacks).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from datetime import datetime
from typing import Any

from bench.snapshot import Snapshot
from bench.sweep import cached_sqlite
from ivig_workflow.db.engine import make_engine
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due

PARTS = {
    "load (CourseStore.load_many)": [("db/course_store.py", "load_many")],
    "tick (domain)": [("course/transitions.py", "tick")],
    "write (CourseStore.save stages, UnitOfWork.commit writes)": [
        ("db/course_store.py", "save"),
        ("service/unit_of_work.py", "commit"),
    ],
}


def _cumulative(stats: dict[Any, Any], path_end: str, name: str) -> float:
    return float(sum(v[3] for (f, _, n), v in stats.items() if f.endswith(path_end) and n == name))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--url")
    parser.add_argument("--at")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.url:
        url, at = args.url, datetime.fromisoformat(args.at)
    else:
        url, info = cached_sqlite(args.size, fresh=False)
        at = datetime.fromisoformat(info["at_all"])
    engine, rulebook = make_engine(url), load_rulebook()
    snapshot = Snapshot(engine, at)
    sweep_due(at, engine=engine, rulebook=rulebook)  # warm-up
    snapshot.restore()
    collecting = [0.0, 0.0]

    def on_collect(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[1] = time.perf_counter()
        else:
            collecting[0] += time.perf_counter() - collecting[1]

    gc.callbacks.append(on_collect)
    totals = dict.fromkeys([*PARTS, "whole sweep"], 0.0)
    examined = 0
    for _ in range(args.runs):
        profile = cProfile.Profile()
        profile.enable()
        examined = sweep_due(at, engine=engine, rulebook=rulebook).examined
        profile.disable()
        snapshot.restore()
        stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        for part, functions in PARTS.items():
            totals[part] += sum(_cumulative(stats, path, name) for path, name in functions)
        totals["whole sweep"] += _cumulative(stats, "service/sweep.py", "sweep_due")
    gc.callbacks.remove(on_collect)
    whole = totals["whole sweep"]
    rows = {part: totals[part] for part in PARTS}
    rows["the sweep's own (claims, look, units of work, report)"] = whole - sum(rows.values())
    print(f"{examined} courses examined per sweep; {args.runs} profiled sweeps of {url}")
    for part, seconds in rows.items():
        print(f"{part:60s} {seconds / args.runs:7.3f} s  {100 * seconds / whole:5.1f} %")
    label = "(of which in the cyclic collector, any part)"
    print(f"{label:60s} {collecting[0] / args.runs:7.3f} s")


if __name__ == "__main__":
    main()
