"""cProfile of a simulated year (SQLite): where its wall time goes. Output kept in
results/profile-simulated-year.txt.

    .venv/bin/python -m bench.profile_simulated_year [--courses 500] [--lines 45]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from bench.simulated_year import simulate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=500)
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        profiler = cProfile.Profile()
        profiler.enable()
        figures = simulate(f"sqlite:///{Path(folder) / 'year.sqlite3'}", args.courses, 365)
        profiler.disable()
    shown = ("wall_s", "opening_s", "events", "sweeps", "sweep_total_s")
    print("## profiled:", {key: round(figures[key], 2) for key in shown})
    pstats.Stats(profiler).sort_stats("cumulative").print_stats("ivig_workflow|sqlite3", args.lines)


if __name__ == "__main__":
    main()
