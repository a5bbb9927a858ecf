"""Where a sweep's time goes: cProfile of one sweep of the cached 10,000-course database.

    .venv/bin/python -m bench.profile_sweep [--size 10000] [--lines 25]

Prints the heaviest functions of ours and the count of SQL statements and ORM
flushes per course swept; the database is put back afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from datetime import datetime

from bench.snapshot import Snapshot
from bench.sweep import cached_sqlite
from ivig_workflow.db.engine import make_engine
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=25)
    args = parser.parse_args()
    url, info = cached_sqlite(args.size, fresh=False)
    engine, rulebook = make_engine(url), load_rulebook()
    at = datetime.fromisoformat(info["at_all"])
    snapshot = Snapshot(engine, at)
    sweep_due(at, engine=engine, rulebook=rulebook)  # warm-up
    snapshot.restore()
    profile = cProfile.Profile()
    profile.enable()
    report = sweep_due(at, engine=engine, rulebook=rulebook)
    profile.disable()
    snapshot.restore()
    stats = pstats.Stats(profile)
    calls: dict[str, int] = {}
    for (path, _, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        calls[f"{path}:{name}"] = calls.get(f"{path}:{name}", 0) + entry[1]
    executes = calls.get("~:<method 'execute' of 'sqlite3.Cursor' objects>", 0) + calls.get(
        "~:<method 'executemany' of 'sqlite3.Cursor' objects>", 0
    )
    flushes = sum(n for key, n in calls.items() if key.endswith("orm/session.py:_flush"))
    per = max(1, report.examined)
    print(f"courses swept: {report.examined}; per course: {executes / per:.1f} SQL statements,")
    print(f"{flushes / per:.1f} ORM flushes")
    stats.sort_stats("cumulative").print_stats("ivig_workflow|sqlite3.Cursor", args.lines)


if __name__ == "__main__":
    main()
