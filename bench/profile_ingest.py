"""cProfile of ward events through the service layer (SQLite): where an event's time
goes, one event per call and 100 per call. Output kept in results/profile-ingest.txt.

    .venv/bin/python -m bench.profile_ingest [--courses 400] [--lines 40] [--sort tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bench.ingest import NOW, prepare
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.ward_events import Delivery, receive_events


def profile(courses: int, batch: int, lines: int, sort: str = "cumulative") -> None:
    folder = Path(tempfile.mkdtemp(prefix="ivig-profile-"))
    url = f"sqlite:///{folder / 'profile.sqlite3'}"
    events = prepare(url, courses)
    engine, rulebook = ensure_schema(url), load_rulebook()
    warm, rest = events[:batch], events[batch:]
    receive_events([Delivery(e) for e in warm], engine=engine, rulebook=rulebook, now=NOW)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for start in range(0, len(rest), batch):
        deliveries = [Delivery(event) for event in rest[start : start + batch]]
        receive_events(deliveries, engine=engine, rulebook=rulebook, now=NOW)
    profiler.disable()
    per_event = (time.perf_counter() - started) / len(rest) * 1000
    print(f"## {len(rest)} events, {batch} per call: {per_event:.2f} ms per event (profiled)")
    # tottime: where the time is spent itself (SQLite's commit, pydantic, SQLAlchemy's
    # per-statement work), which the cumulative view spreads over every caller.
    pattern = "ivig_workflow|sqlite3" if sort == "cumulative" else ""
    pstats.Stats(profiler).sort_stats(sort).print_stats(pattern, lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=400)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    args = parser.parse_args()
    for batch in (1, 100):
        profile(args.courses, batch, args.lines, args.sort)


if __name__ == "__main__":
    main()
