"""A course's snapshot stands for its rows, and a snapshot that cannot is never used.

A course is loaded from the JSON its row keeps when the snapshot was written with the
row's current version by code of the same format; otherwise (a database from before
migration 0008, a snapshot of an older model, a row changed without one) it is rebuilt
from its rows, and its next write writes the snapshot again. Both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, event, text

from bench.fleet import Cloner
from ivig_workflow.db import course_snapshot
from ivig_workflow.db.engine import BEGIN_IMMEDIATE, _alembic_config, upgrade
from ivig_workflow.db.tables import CourseRow
from ivig_workflow.domain.course.model import Course
from ivig_workflow.service.unit_of_work import UnitOfWork, reading
from tests.integration.course_driver import Ward
from tests.integration.same_course import assert_same


def _course_in_treatment(engine: Engine) -> Ward:
    """A course some way in: a cycle given, the next released and half given, a new weight."""
    ward = Ward.start(engine, "dermatomyositis")
    ward.run_cycle()
    cycle = ward.release()
    ward.give(cycle, [1])
    ward.send("observation.recorded", {"weight_kg": 72.5}, ward.local(cycle["planned_dates"][0]))
    return ward


def _row(engine: Engine, course_id: str) -> CourseRow:
    with reading(engine) as session:
        row = session.get(CourseRow, course_id)
        assert row is not None
        return row


def _set_snapshot(engine: Engine, course_id: str, snapshot: str | None) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE courses SET snapshot = :s WHERE id = :id"),
            {"s": snapshot, "id": course_id},
        )


def _from_rows(engine: Engine, course_id: str) -> Course:
    with UnitOfWork(engine) as uow:
        uow.courses.cache, uow.courses.snapshots = None, False
        course = uow.courses.load(course_id)
    assert course is not None
    return course


class Reads:
    """The SELECTs a load issues: a load from the snapshot reads no cycle rows or days."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __call__(self, *args: Any) -> None:
        sql = str(args[2]).lstrip().upper()
        if sql.startswith("SELECT"):
            self.seen.append(sql)

    def load(self, course_id: str) -> Course:
        """Through a unit of work without the in-process cache (as another process would)."""
        self.seen = []
        event.listen(self.engine, "before_cursor_execute", self)
        try:
            with UnitOfWork(self.engine) as uow:
                uow.courses.cache = None
                course = uow.courses.load(course_id)
        finally:
            event.remove(self.engine, "before_cursor_execute", self)
        assert course is not None
        return course

    @property
    def from_rows(self) -> bool:
        return any("INFUSION_DAYS" in sql for sql in self.seen)


@pytest.fixture
def reads(engine: Engine) -> Iterator[Reads]:
    yield Reads(engine)


def test_a_written_course_is_loaded_from_its_snapshot_exactly_as_from_its_rows(
    engine: Engine, reads: Reads
) -> None:
    ward = _course_in_treatment(engine)
    row = _row(engine, ward.course_id)
    assert row.snapshot is not None
    stored = json.loads(row.snapshot)
    assert (stored["version"], stored["format"]) == (row.version, course_snapshot.current_format())
    loaded = reads.load(ward.course_id)
    assert not reads.from_rows
    assert_same(loaded, _from_rows(engine, ward.course_id))
    # A save after a load from the snapshot finds the cycles' rows: the ward goes on.
    cycle = ward.cycle(("in_progress",))
    rest = range(2, len(cycle["planned_dates"]) + 1)
    assert [a.status for a in ward.give(cycle, rest)] == ["applied"] * len(rest)
    assert ward.view()["cycles"][1]["status"] == "completed"
    ward.assert_consistent()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda s: None, id="missing, as migration 0008 leaves it"),
        pytest.param(
            lambda s: s.replace(f'"format":"{course_snapshot.current_format()}"', '"format":"0-x"'),
            id="an older format",
        ),
        pytest.param(
            lambda s: s.replace('"cycles":[', '"cycles":[{"number":"not a cycle"},'),
            id="does not parse",
        ),
        pytest.param(lambda s: s.replace('"course_id":"', '"course_id":"x'), id="another course"),
    ],
)
def test_a_snapshot_that_cannot_stand_for_the_row_is_not_used_and_is_written_again(
    engine: Engine, reads: Reads, spoil: Any
) -> None:
    ward = _course_in_treatment(engine)
    rows = _from_rows(engine, ward.course_id)
    before = _row(engine, ward.course_id)
    assert before.snapshot is not None
    _set_snapshot(engine, ward.course_id, spoil(before.snapshot))
    assert_same(reads.load(ward.course_id), rows)
    assert reads.from_rows
    # The next write of the course writes its snapshot again, at the new version.
    cycle = ward.cycle(("in_progress",))
    assert ward.give(cycle, [2])[0].status == "applied"
    after = _row(engine, ward.course_id)
    assert after.snapshot is not None
    assert json.loads(after.snapshot)["version"] == after.version == (before.version or 0) + 1
    assert_same(reads.load(ward.course_id), _from_rows(engine, ward.course_id))
    assert not reads.from_rows
    ward.assert_consistent()


def test_a_row_changed_without_its_snapshot_is_read_from_the_rows(
    engine: Engine, reads: Reads
) -> None:
    """A writer that knows no snapshot (code from before 0008) bumps the version only."""
    ward = _course_in_treatment(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE courses SET version = version + 1, weight_kg = 80 WHERE id = :id"),
            {"id": ward.course_id},
        )
    loaded = reads.load(ward.course_id)
    assert reads.from_rows
    assert loaded.measurements.weight_kg == 80


def test_code_with_another_model_shape_reads_the_rows(
    engine: Engine, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = _course_in_treatment(engine)
    rows = _from_rows(engine, ward.course_id)
    monkeypatch.setattr(course_snapshot, "current_format", lambda: "2-another-shape")
    assert_same(reads.load(ward.course_id), rows)
    assert reads.from_rows


def test_migration_0008_leaves_existing_courses_to_their_rows(engine: Engine, reads: Reads) -> None:
    """Down to 0007 and up again: the column comes back empty, courses load from their
    rows as before, and each is snapshotted with its next change."""
    ward = _course_in_treatment(engine)
    rows = _from_rows(engine, ward.course_id)
    head = upgrade(engine)  # already there: later migrations come back up with 0008
    with engine.execution_options(**{BEGIN_IMMEDIATE: True}).begin() as connection:
        command.downgrade(_alembic_config(connection), "0007")
    with engine.connect() as connection:
        assert "snapshot" not in {c["name"] for c in _columns(connection)}
    assert upgrade(engine) == head
    assert _row(engine, ward.course_id).snapshot is None
    assert_same(reads.load(ward.course_id), rows)
    assert reads.from_rows
    cycle = ward.cycle(("in_progress",))
    assert ward.give(cycle, [2])[0].status == "applied"
    assert _row(engine, ward.course_id).snapshot is not None
    reads.load(ward.course_id)
    assert not reads.from_rows
    ward.assert_consistent()


def _columns(connection: Any) -> list[dict[str, Any]]:
    from sqlalchemy import inspect

    return list(inspect(connection).get_columns("courses"))


def test_a_cloned_course_loads_from_its_snapshot_under_its_own_id(
    engine: Engine, reads: Reads
) -> None:
    """The benchmarks' fleet copies rows as text, the snapshot with them; the cycles'
    row ids are new, which is why they are never taken from the snapshot."""
    ward = _course_in_treatment(engine)
    [(clone, _)] = Cloner(engine).clone([ward.course_id], 1, "T")
    loaded = reads.load(clone)
    assert not reads.from_rows
    assert loaded.course_id == clone
    assert_same(loaded, _from_rows(engine, clone))
    twin = Ward(engine=engine, course_id=clone, zone=ward.zone, sent=100)
    cycle = twin.cycle(("in_progress",))
    assert twin.give(cycle, [2])[0].status == "applied"
    assert twin.view()["cycles"][1]["days_given"] == [1, 2]
