"""Several sweep workers on one database at once (PostgreSQL: they split the due set
with FOR UPDATE SKIP LOCKED); wall time is until the last one is done.

The pool lives as long as the process, so that process start-up and imports are
paid in the uncounted warm-up run, not in the timed ones.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from functools import cache

from ivig_workflow.db.engine import make_engine
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due


@cache
def _context(url: str) -> tuple[object, object]:
    return make_engine(url), load_rulebook()


def _one(url: str, at: datetime) -> int:
    engine, rulebook = _context(url)
    return sweep_due(at, engine=engine, rulebook=rulebook).examined  # type: ignore[arg-type]


_pools: dict[int, ProcessPoolExecutor] = {}


def sweep_in_parallel(url: str, at: datetime, workers: int) -> int:
    pool = _pools.setdefault(workers, ProcessPoolExecutor(workers))
    return sum(pool.map(_one, [url] * workers, [at] * workers))
