"""Courses in and out of the database, with their decisions' side rows.

Reads and writes go through Core statements, not ORM objects: for a batch of ward
events or a sweep batch, building and flushing ORM objects cost more than the state
machine itself. `load_many` remembers what it read (each course's version, its
cycles' ids, the recorded days, the log's last step) so that `save` stages only what
changed without reading again, and `write_pending` writes it (`course_writes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Table, bindparam, func, insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from ivig_workflow.db import course_snapshot
from ivig_workflow.db.course_cache import CourseCache, LoadedCourse
from ivig_workflow.db.course_rows import course_from_rows, cycle_values
from ivig_workflow.db.course_writes import (
    PendingWrites,
    course_changes,
    course_values,
    cycle_changes,
)
from ivig_workflow.db.driver_statements import IDS, heads, select_in
from ivig_workflow.db.tables import (
    CentreRow,
    CourseRow,
    CycleRow,
    InfusionDayRow,
    Patient,
    TransitionLogRow,
)
from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.course.decision import Decision
from ivig_workflow.domain.course.effects import Effect
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.start import CourseStart

_COURSE: Table = CourseRow.__table__  # type: ignore[attr-defined]
_CYCLE: Table = CycleRow.__table__  # type: ignore[attr-defined]
_DAY: Table = InfusionDayRow.__table__  # type: ignore[attr-defined]
_PATIENT: Table = Patient.__table__  # type: ignore[attr-defined]
_CENTRE: Table = CentreRow.__table__  # type: ignore[attr-defined]
# Built once: constructing a statement costs more than SQLite takes to run it.
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
# On the driver (`select_in`): text and integers, which need no conversion.
_SNAPSHOTS = f"SELECT id, version, snapshot FROM {_COURSE.name} WHERE id {IDS}"
# The whole row only for a course rebuilt from its rows: its JSON and instant columns
# cost more to convert than the snapshot to parse.
_COURSES = (
    select(_COURSE, col(Patient.ref).label("patient_ref"))
    .join(Patient, col(Patient.id) == _COURSE.c.patient_id)
    .where(_COURSE.c.id.in_(_IDS))
)
_CYCLES = select(_CYCLE).where(_CYCLE.c.course_id.in_(_IDS))
# Courses read from their snapshots need only their cycles' row ids (for a save).
_CYCLE_IDS = f"SELECT course_id, number, id FROM {_CYCLE.name} WHERE course_id {IDS}"
_DAYS = select(_DAY).where(_DAY.c.cycle_id.in_(bindparam("cycle_ids", expanding=True)))
_LAST_STEPS = (
    select(
        col(TransitionLogRow.course_id),
        func.max(col(TransitionLogRow.seq)),
        func.max(col(TransitionLogRow.step)),
    )
    .where(col(TransitionLogRow.course_id).in_(_IDS))
    .group_by(col(TransitionLogRow.course_id))
)


class CourseStore:
    def __init__(
        self,
        session: Session | Connection,
        *,
        locking: bool,
        cache: CourseCache | None = None,
        snapshots: bool = True,
    ) -> None:
        self.cache = cache
        # False: every course rebuilt from its rows (replay verification reads the record).
        self.snapshots = snapshots
        self._latest: dict[str, Course] = {}  # saved, to be cached once committed
        self._written: set[str] = set()
        # Core statements go to the connection directly (a unit of work hands its own;
        # readers their session's): through Session.execute each paid the ORM's
        # dispatch, ~0.3 ms, for nothing.
        self._connection = session if isinstance(session, Connection) else session.connection()
        self.locking = locking
        self._loaded: dict[str, LoadedCourse] = {}
        # Each course as its row holds it (read, or written by this unit of work): a
        # save writes the columns that differ from it.
        self._stored: dict[str, Course] = {}
        self._pending = PendingWrites()

    def load_many(self, course_ids: Sequence[str], *, claimed: bool = False) -> list[Course]:
        """The courses, in id order: from the cache while their version stands, else
        from their snapshots, else rebuilt from their rows.

        `claimed`: this transaction has locked their rows already (a sweep's claim), so
        they are not locked again.
        """
        if not course_ids:
            return []
        # A course's id and version first, on the driver: enough for one in the cache.
        rows = heads(self._connection, _COURSE, course_ids, lock=self.locking and not claimed)
        found: dict[str, Course] = {}
        missing = []
        for course_id, version in rows:
            cached = self.cache.get(course_id, version) if self.cache else None
            if cached is None:
                missing.append(course_id)
            else:
                found[course_id], self._loaded[course_id] = cached
        if missing and self.snapshots:
            missing = self._load_snapshots(missing, found)
        if missing:
            full = self._connection.execute(_COURSES, {"ids": missing}).mappings().all()
            for course in self._load_history(full):
                found[course.course_id] = course
                if self.cache is not None:
                    self.cache.put(course, self._loaded[course.course_id])  # read committed
        self._stored.update(found)
        return [found[course_id] for course_id, _ in rows]

    def _load_snapshots(self, course_ids: list[str], found: dict[str, Course]) -> list[str]:
        """Courses from their snapshots (and their cycles' row ids); returns those without.

        Not put in the cache until saved: parsing again costs little more than the copy
        the cache makes.
        """
        read = []
        for course_id, version, text in select_in(self._connection, _SNAPSHOTS, course_ids):
            snapshot = course_snapshot.load(text, course_id, version)
            if snapshot is not None:
                found[course_id] = snapshot.course
                self._loaded[course_id] = course_snapshot.loaded_from(snapshot)
                read.append(course_id)
        if read:
            for course_id, number, cycle_id in select_in(self._connection, _CYCLE_IDS, read):
                self._loaded[course_id].cycle_ids[number] = cycle_id
        return [course_id for course_id in course_ids if course_id not in found]

    def _load_history(self, rows: Sequence[Any]) -> list[Course]:
        """Courses from their rows: cycles, recorded days and the log's last step read."""
        if not rows:
            return []
        ids = {"ids": [row["id"] for row in rows]}
        cycles = self._connection.execute(_CYCLES, ids).mappings().all()
        number_of = {cycle["id"]: (cycle["course_id"], cycle["number"]) for cycle in cycles}
        days = (
            self._connection.execute(_DAYS, {"cycle_ids": list(number_of)}).mappings().all()
            if cycles
            else []
        )
        last = self._connection.execute(_LAST_STEPS, ids).all()
        for row in rows:
            self._loaded[row["id"]] = LoadedCourse(version=row["version"])
        for course_id, seq, step in last:
            self._loaded[course_id].last_seq, self._loaded[course_id].last_step = seq, step
        cycles_of: dict[str, list[Any]] = {}
        for cycle in cycles:
            self._loaded[cycle["course_id"]].cycle_ids[cycle["number"]] = cycle["id"]
            cycles_of.setdefault(cycle["course_id"], []).append(cycle)
        days_of: dict[str, list[Any]] = {}
        for day in days:
            course_id, number = number_of[day["cycle_id"]]
            self._loaded[course_id].recorded.add((number, day["day"]))
            days_of.setdefault(course_id, []).append(day)
        courses = [
            course_from_rows(
                row, row["patient_ref"], cycles_of.get(row["id"], []), days_of.get(row["id"], [])
            )
            for row in rows
        ]
        for course in courses:
            self._loaded[course.course_id].written = {c.number: c for c in course.cycles}
        return courses

    def load(self, course_id: str) -> Course | None:
        found = self.load_many([course_id])
        return found[0] if found else None

    def add(self, decision: Decision, start: CourseStart, centre: Centre, now: datetime) -> None:
        course, connection = decision.course, self._connection
        patient_id = connection.execute(
            select(_PATIENT.c.id).where(_PATIENT.c.ref == course.patient_ref)
        ).scalar()
        if patient_id is None:
            new = insert(_PATIENT).values(ref=course.patient_ref, created_at=now)
            patient_id = connection.execute(new.returning(_PATIENT.c.id)).scalar_one()
        known = select(_CENTRE.c.slug).where(_CENTRE.c.slug == centre.slug)
        if connection.execute(known).first() is None:
            connection.execute(
                insert(_CENTRE).values(
                    slug=centre.slug,
                    name=centre.name,
                    time_zone=centre.time_zone,
                    country=centre.country,
                )
            )
        assert patient_id is not None
        self._pending.course_inserts[course.course_id] = {
            "id": course.course_id,
            "patient_id": patient_id,
            "centre_slug": centre.slug,
            "indication": course.indication,
            "guideline_version": course.guideline_version,
            "start": start.model_dump(mode="json"),
            "started_at": now,
            "created_at": now,
            "version": 1,
            **course_values(course, now),
        }
        self._loaded[course.course_id] = LoadedCourse(version=1)
        self.save(decision, now)

    def save(self, decision: Decision, now: datetime) -> None:
        """Stage the decided course, its log, work items and notifications.

        Nothing is written until `write_pending` (the unit of work calls it at
        commit), so a batch writes once, not once per course.
        """
        course, pending = decision.course, self._pending
        cid = course.course_id
        self._latest[cid] = course
        loaded = self._loaded[cid]
        if cid in pending.course_inserts:
            pending.course_inserts[cid].update(course_values(course, now))
        else:
            # Saved twice in one batch, the course still expects the version it was loaded
            # at, and its row still holds the course as loaded.
            as_stored = self._stored.get(cid)
            values = (
                course_values(course, now)
                if as_stored is None
                else course_changes(as_stored, course, now)
            )
            pending.course_updates[cid] = {
                **values,
                "b_id": cid,
                "b_version": loaded.version,
                "version": loaded.version + 1,
            }
        for cycle in course.cycles:
            before = loaded.written.get(cycle.number)
            if before == cycle:
                continue
            loaded.written[cycle.number] = cycle
            stored = loaded.cycle_ids.get(cycle.number)
            if stored is None:
                pending.cycle_inserts[(cid, cycle.number)] = {
                    "course_id": cid,
                    "number": cycle.number,
                    **cycle_values(cycle),
                }
            else:
                # Only the columns that changed (an infusion day changes none, or the
                # status): the plan's JSON is not written again with every day.
                changes = cycle_values(cycle) if before is None else cycle_changes(before, cycle)
                if changes:
                    pending.cycle_updates.setdefault(stored, {"b_id": stored}).update(changes)
            for infusion in cycle.infusions:
                if (cycle.number, infusion.day) not in loaded.recorded:
                    loaded.recorded.add((cycle.number, infusion.day))
                    pending.days.append((cid, cycle.number, infusion))
        self._stage_log(decision, loaded)
        self.stage_effects(decision.effects, now)

    def stage_effects(self, effects: Sequence[Effect], now: datetime) -> None:
        """Effects of a decision; alone, those of one that changed no course (a refusal)."""
        self._pending.effects.extend((effect, now) for effect in effects)

    def write_pending(self) -> None:
        if not self._pending:
            return  # written already (`apply_batch` writes before the inbox rows)
        pending, self._pending = self._pending, PendingWrites()
        stored = {
            (cid, number): self._loaded[cid].cycle_ids[number]
            for cid, number, _ in pending.days
            if number in self._loaded[cid].cycle_ids
        }
        # The snapshot goes with the course row's own insert or update (same statement).
        course_snapshot.stage(
            {**pending.course_inserts, **pending.course_updates}, self._latest, self._loaded
        )
        inserted = pending.write(self._connection, stored)
        for (cid, number), cycle_id in inserted.items():
            self._loaded[cid].cycle_ids[number] = cycle_id
        for cid in pending.course_updates:
            self._loaded[cid].version += 1
        for cid in (*pending.course_updates, *pending.course_inserts):
            self._stored[cid] = self._latest[cid]  # as `course_snapshot.stage` left it
        self._written.update(pending.course_updates, pending.course_inserts)

    def committed(self) -> None:
        """The transaction committed: what it wrote may be cached."""
        if self.cache is not None:
            for cid in self._written:
                self.cache.put(self._latest[cid], self._loaded[cid])
        self._written = set()

    def _stage_log(self, decision: Decision, loaded: LoadedCourse) -> None:
        if not decision.transitions:
            return
        loaded.last_step += 1
        for transition in decision.transitions:
            loaded.last_seq += 1
            self._pending.log.append(
                {
                    "course_id": decision.course.course_id,
                    "seq": loaded.last_seq,
                    "step": loaded.last_step,
                    "from_state": transition.from_state,
                    "to_state": transition.to_state,
                    "trigger": transition.trigger,
                    "event_key": transition.event_key,
                    "at": transition.at,
                    "rule": transition.rule,
                    "citation": transition.citation,
                    "actor": transition.actor,
                    "reason": transition.reason,
                }
            )
