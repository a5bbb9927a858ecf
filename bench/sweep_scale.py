"""The sweep's cost against the database's size, at the same due count, in one process.

    .venv/bin/python -m bench.sweep_scale [--small 10000 --large 1000000 --pairs 15] [--smoke]

`bench.sweep` times each size in its own process, one after the other; on a shared
machine whose speed drifts by a third over minutes that ratio moves more than the
effect. Here both cached databases (built by `bench.sweep` when absent) are open in one
process and their same-due sweeps (`SAME_DUE` courses) alternate, so drift falls on
both sides of each pair. The figure is the median of the pairs' large / small ratios.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import Any

from bench.common import median, record, round_figures
from bench.snapshot import Snapshot
from bench.sweep import cached_sqlite
from ivig_workflow.db.engine import make_engine
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due


class Side:
    """One database and its same-due instant, put back after every sweep."""

    def __init__(self, size: int) -> None:
        url, info = cached_sqlite(size, fresh=False)
        self.engine = make_engine(url)
        self.at = datetime.fromisoformat(info["at_same"])
        self.snapshot = Snapshot(self.engine, self.at)

    def sweep(self, rulebook: Any) -> tuple[float, float, int]:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = sweep_due(self.at, engine=self.engine, rulebook=rulebook)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        self.snapshot.restore()
        return wall, cpu, report.examined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="10,000 and 20,000 courses, 2 pairs")
    args = parser.parse_args()
    if args.smoke:
        args.small, args.large, args.pairs = 10_000, 20_000, 2
    rulebook = load_rulebook()
    small, large = Side(args.small), Side(args.large)
    small.sweep(rulebook), large.sweep(rulebook)  # warm both; not counted
    walls, cpus, examined = [], [], set()
    for pair in range(args.pairs):
        # Alternate which side goes first, so neither always follows the other's restore.
        order = (small, large) if pair % 2 == 0 else (large, small)
        results = {id(side): side.sweep(rulebook) for side in order}
        (s_wall, s_cpu, s_n), (l_wall, l_cpu, l_n) = results[id(small)], results[id(large)]
        walls.append(l_wall / s_wall)
        cpus.append(l_cpu / s_cpu)
        examined.update({s_n, l_n})
    figures = round_figures(
        {
            "pairs": args.pairs,
            "examined": sorted(examined),
            "large_over_small_wall": median(walls),
            "large_over_small_cpu": median(cpus),
            "wall_ratio_min": min(walls),
            "wall_ratio_max": max(walls),
        }
    )
    print(
        f"{args.large:,} / {args.small:,} courses, same due ({figures['examined']}), "
        f"{args.pairs} alternated pairs: wall {figures['large_over_small_wall']} "
        f"(pairs {figures['wall_ratio_min']}-{figures['wall_ratio_max']}), "
        f"CPU {figures['large_over_small_cpu']}"
    )
    record(
        "sweep_scale",
        {"small": args.small, "large": args.large, "pairs": args.pairs},
        figures,
        {"large_over_small_same_due": figures["large_over_small_wall"]},
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
