"""A course's snapshot: the whole course as JSON in its row, read in one pass.

Rebuilding a course from its rows reads every cycle, plan and infusion day and
validates each as a model; a course in its second year cost more to load than to
decide. The snapshot is the course as `model_dump_json` wrote it when its rows were
written, in the same statement that updates the course row (so in the same
transaction as its cycles, days and log), stamped with

- the format: `FORMAT` and a fingerprint of the `Course` model's JSON schema, so that
  code which changes the model's shape reads the rows instead (and writes a new
  snapshot with the course's next change);
- the row's version: a writer that changed the rows without rewriting the snapshot
  (code from before it, SQL by hand that bumps the version) makes it unusable;
- the transition log's last seq and step, which a load from rows queries.

A snapshot is a copy, never the record: replay verification rebuilds from the rows
and compares (`service.replay`). Reading it is `model_validate_json`: pydantic-core
parses and validates in one pass faster than `json.loads` alone turns the text into
dicts (a 12-cycle course: 74 us against 67 us), so skipping validation with
`model_construct` on parsed dicts could only be slower, and validation gives back
the model's own types (dates, enums, tuples, float keys) from the text.

The course's cycles are written last, each cycle's JSON kept (`LoadedCourse.cycle_texts`)
with the cycle object it stands for, whether written or cut out of the text read: the
state machine hands an unchanged cycle on as the same object, so a course written
again serialises its course fields and the cycles that changed, not its whole history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from ivig_workflow.db.course_cache import LoadedCourse
from ivig_workflow.domain.course.model import Course, Cycle

# Bump when a stored field keeps its shape but changes its meaning, or the text its
# layout; shape changes are caught by the schema's fingerprint. 2: cycles last.
FORMAT = 2
_ZERO = timedelta(0)
# Instants kept in columns of their own: read from the rows, they come back in UTC.
_COURSE_INSTANTS = ("opened_at", "last_relapse_check_at", "next_relapse_check_at", "next_due_at")
_CYCLE_INSTANTS = ("released_at", "escalated_at", "release_held_at")
_CYCLES = {"cycles"}  # left out of the course's own fields, written after them
# Where the cycles begin and where each next one does: "number" is a key of cycles
# only (their first), and a JSON string escapes its quotes, so the text holds these
# nowhere else. A cycle's text is kept without this prefix, so cutting copies nothing.
_FIRST_CYCLE = '"cycles":[{"number":'
_NEXT_CYCLE = ',{"number":'
_PREFIX = len('{"number":')
_END = "]}}"  # the cycles' list, the course, the snapshot


class _Stored(BaseModel):
    format: str
    version: int
    last_seq: int
    last_step: int
    course: Course


@dataclass(frozen=True)
class Snapshot:
    version: int
    last_seq: int
    last_step: int
    course: Course
    # Each cycle's JSON as the text held it (empty where it could not be cut out).
    cycle_texts: dict[int, tuple[Cycle, str]] = field(default_factory=dict)


@cache
def current_format() -> str:
    """`FORMAT` and the model's shape: field names, types, constraints and defaults (an
    omitted default is read back as the code's default), not its docstrings."""
    schema = json.dumps(_shape(Course.model_json_schema()), sort_keys=True)
    return f"{FORMAT}-{hashlib.sha256(schema.encode()).hexdigest()[:16]}"


def _shape(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _shape(value)
            for key, value in schema.items()
            if not (key in ("title", "description") and isinstance(value, str))
        }
    if isinstance(schema, list):
        return [_shape(value) for value in schema]
    return schema


def dump(course: Course, loaded: LoadedCourse, version: int) -> str:
    """The snapshot of `course` (`as_read_from_rows`) as its row will hold it at `version`.

    Written by hand around the course's JSON, so that the course is not validated
    again on its way into a wrapper model. Fields at their default are left out (a
    course at its start is half as long; parsing fills them in). `warnings=False`: the
    state machine's `model_copy(update=...)` leaves a cycle's status as its plain
    string, which serialises the same. A cycle `loaded.cycle_texts` holds as the same
    object is not serialised again; those that are, are kept there for the next time.
    """
    return (
        f'{{"format":"{current_format()}","version":{version},'
        f'"last_seq":{loaded.last_seq},"last_step":{loaded.last_step},'
        f'"course":{_course_json(course, loaded.cycle_texts)}}}'
    )


def _course_json(course: Course, texts: dict[int, tuple[Cycle, str]]) -> str:
    head = course.model_dump_json(warnings=False, exclude_defaults=True, exclude=_CYCLES)
    if not course.cycles:
        return head
    written = []
    for cycle in course.cycles:
        known = texts.get(cycle.number)
        if known is None or known[0] is not cycle:
            text = cycle.model_dump_json(warnings=False, exclude_defaults=True)
            known = texts[cycle.number] = (cycle, text[_PREFIX:])
        written.append(known[1])
    # The course's own fields always hold its id: `head` is never "{}".
    return f"{head[:-1]},{_FIRST_CYCLE}{_NEXT_CYCLE.join(written)}]}}"


def _off_utc(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() != _ZERO


def _in_utc(model: Any, names: tuple[str, ...]) -> dict[str, datetime]:
    return {
        name: getattr(model, name).astimezone(UTC)
        for name in names
        if _off_utc(getattr(model, name))
    }


def as_read_from_rows(
    course: Course, known: Mapping[int, tuple[Cycle, str]] | None = None
) -> Course:
    """`course` with the instants its rows keep in columns in UTC, as a load from rows
    gives them (an event's local time stays local in memory): whichever way a course
    is loaded, a view shows the same text. A copy only where an instant is not UTC.
    A cycle that `known` holds as the same object was written (or read) so already."""
    update: dict[str, Any] = _in_utc(course, _COURSE_INSTANTS)
    if _off_utc(course.measurements.measured_at):
        update["measurements"] = course.measurements.model_copy(
            update={"measured_at": course.measurements.measured_at.astimezone(UTC)}
        )
    known = known or {}
    moved = False
    cycles = []
    for cycle in course.cycles:
        same = known.get(cycle.number)
        if same is None or same[0] is not cycle:
            instants = _in_utc(cycle, _CYCLE_INSTANTS)
            if instants:
                cycle, moved = cycle.model_copy(update=instants), True
        cycles.append(cycle)
    if moved:
        update["cycles"] = tuple(cycles)
    return course.model_copy(update=update) if update else course


def load(text: str | None, course_id: str, version: int) -> Snapshot | None:
    """The snapshot if it stands for the row as read (`course_id` at `version`), else None."""
    # Format and version are the text's first fields: a stale snapshot is not parsed.
    if text is None or not text.startswith(f'{{"format":"{current_format()}","version":{version},'):
        return None
    try:
        stored = _Stored.model_validate_json(text)
    except ValidationError:
        return None  # a copy that does not parse is no worse than none: read the rows
    if stored.course.course_id != course_id:
        return None
    return Snapshot(
        version=stored.version,
        last_seq=stored.last_seq,
        last_step=stored.last_step,
        course=stored.course,
        cycle_texts=_cycle_texts(text, stored.course.cycles),
    )


def _cycle_texts(text: str, cycles: tuple[Cycle, ...]) -> dict[int, tuple[Cycle, str]]:
    """Each cycle's JSON (after its first key) cut out of the text it was just parsed
    from; none where the text is not laid out as `dump` writes it (then the next write
    serialises them). Every cycle's text begins with its number, so as many pieces as
    cycles are the cycles, in order: a "number" key anywhere else would add a piece."""
    start = text.find(_FIRST_CYCLE)
    if not cycles or start < 0 or not text.endswith(_END):
        return {}
    pieces = text[start + len(_FIRST_CYCLE) : -len(_END)].split(_NEXT_CYCLE)
    if len(pieces) != len(cycles):
        return {}
    return {cycle.number: (cycle, piece) for cycle, piece in zip(cycles, pieces, strict=True)}


def loaded_from(snapshot: Snapshot) -> LoadedCourse:
    """What a save needs to know of the stored rows, as the snapshot says them.

    The cycles' row ids are not in the snapshot (a cycle gets its id when inserted,
    after the snapshot is staged; a copied database renumbers them): `load_many`
    reads them with one narrow query.
    """
    cycles = snapshot.course.cycles
    return LoadedCourse(
        version=snapshot.version,
        recorded={(cycle.number, infusion.day) for cycle in cycles for infusion in cycle.infusions},
        last_seq=snapshot.last_seq,
        last_step=snapshot.last_step,
        written={cycle.number: cycle for cycle in cycles},
        cycle_texts=dict(snapshot.cycle_texts),
    )


def stage(
    course_rows: Mapping[str, dict[str, Any]],
    latest: MutableMapping[str, Course],
    loaded: Mapping[str, LoadedCourse],
) -> None:
    """Add each staged course row's snapshot, at the version the row is written with.

    Once per course per unit of work, however many events a batch applied to it. The
    course as the snapshot holds it replaces `latest` (what the cache keeps once
    committed), so that a course from the cache, the snapshot or the rows is the same.
    """
    for course_id, values in course_rows.items():
        texts = loaded[course_id].cycle_texts
        course = latest[course_id] = as_read_from_rows(latest[course_id], texts)
        values["snapshot"] = dump(course, loaded[course_id], values["version"])
