"""PostgreSQL: ingest and sweep again, and the sweep with two workers against one.

    scripts/with-postgres.sh .venv/bin/python -m bench.postgres [--sizes 10000 100000] [--smoke]

Needs IVIG_TEST_POSTGRES_URL (scripts/with-postgres.sh exports it: a throwaway
server without fsync, so these figures are about the server's CPU and our round
trips, not its disks). Databases are built per run here: the server is throwaway.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench.common import record
from bench.pg import fresh_database
from bench.sweep import build, in_subprocess


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    server = os.environ.get("IVIG_TEST_POSTGRES_URL")
    if not server:
        sys.exit("error: IVIG_TEST_POSTGRES_URL: run through scripts/with-postgres.sh")
    sizes, runs = ([2_000], 1) if args.smoke else (args.sizes, args.runs)
    ingest = [sys.executable, "-m", "bench.ingest", "--url", server, "--runs", str(runs)]
    subprocess.run(
        ingest + (["--smoke"] if args.smoke else []),
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    for size in sizes:
        url = fresh_database(server, f"sweep{size}")
        info = build(url, size)
        one = in_subprocess(url, info["at_all"], runs, workers=1)
        two = in_subprocess(url, info["at_all"], runs, workers=2)
        record(
            "sweep",
            {"courses": size, "due": one["due"], "at": "one_percent", "runs": runs},
            {**one, "two_workers_sweep_s": two["sweep_s"], "two_workers_examined": two["examined"]},
            {
                "sweep_over_bare_select": one["sweep_over_select"],
                "two_workers_over_one": round(two["sweep_s"] / one["sweep_s"], 3),
            },
            backend="postgresql",
            smoke=args.smoke,
        )


if __name__ == "__main__":
    main()
