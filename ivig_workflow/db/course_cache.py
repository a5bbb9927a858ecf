"""Courses as last loaded or committed, reused while their version is unchanged.

Loading a course rebuilds its whole history (every cycle's plan, every infusion day),
so a course in its second year cost ~0.6 ms to read, more than deciding an event.
Every change to a course goes through `CourseStore.save`, which bumps the course
row's version, so a cached course whose version equals the row's is the stored
course: the row is still read (and locked, on PostgreSQL) on every load, only the
history is not. Entries are put only from data read in, or committed by, a
transaction, never from one that may roll back. A writer elsewhere (another process)
bumps the version and the entry is simply not used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from ivig_workflow.domain.course.model import Course, Cycle

# Courses. 2,048 covered the days between a release and its infusions at 10,000 in
# treatment; since a miss reads the snapshot (~50-80 us, not ~0.6 ms of rows), a small
# cache costs no time: at 10,000 courses 96 % of loads miss even 512 (each day's first
# infusions touch more courses than that). 384 against 512, simulated year of 10,000,
# same machine: 135.9 s against 144.7 s, peak 192.6 MB against 199.1 MB (the 200 MB
# target). A parsed 12-cycle course takes ~90 KB.
SIZE = 384


@dataclass
class LoadedCourse:
    """What was read of one course, kept for its save."""

    version: int
    cycle_ids: dict[int, int] = field(default_factory=dict)  # cycle number -> row id
    recorded: set[tuple[int, int]] = field(default_factory=set)  # (cycle number, day)
    last_seq: int = 0
    last_step: int = 0
    # The cycles as last loaded or saved: an unchanged cycle is not written again.
    written: dict[int, Cycle] = field(default_factory=dict)
    # Each cycle's JSON in the snapshot, with the very cycle it was written from (or
    # parsed into): a cycle still that object is not serialised again (`course_snapshot`).
    cycle_texts: dict[int, tuple[Cycle, str]] = field(default_factory=dict)

    def copy(self) -> LoadedCourse:
        return replace(
            self,
            cycle_ids=dict(self.cycle_ids),
            recorded=set(self.recorded),
            written=dict(self.written),
            cycle_texts=dict(self.cycle_texts),
        )


class CourseCache:
    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[Course, LoadedCourse]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, course_id: str, version: int) -> tuple[Course, LoadedCourse] | None:
        with self._lock:
            entry = self._entries.get(course_id)
            if entry is None or entry[1].version != version:
                return None
            self._entries.move_to_end(course_id)
        return entry[0], entry[1].copy()

    def put(self, course: Course, loaded: LoadedCourse) -> None:
        # Without its cycles' texts (~1 KB a cycle): most courses are evicted before they
        # are used again, and one used again serialises its history once more (~25 us).
        kept = replace(loaded.copy(), cycle_texts={})
        with self._lock:
            self._entries[course.course_id] = (course, kept)
            self._entries.move_to_end(course.course_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def course_cache(engine: Engine) -> CourseCache:
    """The engine's cache, made on first use; kept on the engine, so it goes with it."""
    cache: CourseCache = engine.__dict__.setdefault("_ivig_course_cache", CourseCache())
    return cache
