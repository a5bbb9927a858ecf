"""The cyclic garbage collector kept quiet while a sweep runs.

A sweep allocates a great many short-lived objects (rows, courses, effects) while the
process holds a large long-lived heap (modules, the rulebook, the course cache). With
CPython's default thresholds that allocation rate sets off full collections, and each
walks the whole long-lived heap: measured on 1,000 due among 100,000 courses (SQLite),
full collections were about a quarter of the sweep's time. What a sweep leaves behind
is freed by reference counting; the little cyclic garbage it makes waits for the next
young collection, which comes after 50,000 allocations instead of 700.

The thresholds are process-wide, so they are raised by the first sweep that enters
and put back by the last that leaves; thresholds already higher (the API server
raises its own at start-up) are left as they are.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The young generation's threshold the API server uses as well (api.app.settle_heap).
SWEEP_THRESHOLDS = (50_000, 50, 100)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None
_raised: tuple[int, int, int] | None = None


@contextmanager
def quiet_collector() -> Iterator[None]:
    global _depth, _saved, _raised
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            _raised = (
                max(_saved[0], SWEEP_THRESHOLDS[0]),
                max(_saved[1], SWEEP_THRESHOLDS[1]),
                max(_saved[2], SWEEP_THRESHOLDS[2]),
            )
            gc.set_threshold(*_raised)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            # Put back only what this module set: thresholds someone changed meanwhile
            # (a server settling its heap at start-up) are theirs.
            if _depth == 0 and _saved is not None and gc.get_threshold() == _raised:
                gc.set_threshold(*_saved)
            if _depth == 0:
                _saved = _raised = None
