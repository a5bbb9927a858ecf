"""The sweep over the database: only what is due, in batches, idempotent at one `now`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator
from sqlmodel import select

from ivig_workflow.db.tables import CourseRow
from ivig_workflow.db.types import UtcDateTime
from ivig_workflow.service import sweep_claims
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.unit_of_work import UnitOfWork, reading
from tests.integration.course_driver import RULEBOOK, Ward, row_counts

EARLY, LATE = date(2026, 1, 12), date(2026, 9, 7)


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _versions(engine: Engine) -> dict[str, int | None]:
    with reading(engine) as session:
        return {row.id: row.version for row in session.scalars(select(CourseRow))}


def _open(engine: Engine, start: date, count: int, prefix: str) -> list[Ward]:
    return [
        Ward.start(
            engine, "dermatomyositis", start, patient_ref=f"{prefix}-{n}", course_id=f"{prefix}-{n}"
        )
        for n in range(count)
    ]


def test_only_due_courses_are_read_and_queries_follow_the_work_due(engine: Engine) -> None:
    due = _open(engine, EARLY, 5, "due")
    held = _open(engine, LATE, 20, "held")
    now = due[0].local(EARLY - timedelta(days=7), 6)
    versions = _versions(engine)
    with statements(engine) as seen:
        report = sweep_due(now, engine=engine, rulebook=RULEBOOK)
    assert (report.batches, report.examined, len(report.actions)) == (1, 5, 5)
    mentioned = " ".join(f"{sql} {params}" for sql, params in seen)
    assert not any(ward.course_id in mentioned for ward in held)
    after = _versions(engine)
    assert {c for c in versions if versions[c] != after[c]} == {w.course_id for w in due}
    first = len(seen)

    # Five more due a week later, among four times as many courses held: the same
    # number of statements, because the sweep reads the index and nothing else.
    later = _open(engine, EARLY + timedelta(days=7), 5, "next")
    _open(engine, LATE, 80, "more")
    with statements(engine) as seen:
        report = sweep_due(now + timedelta(days=7), engine=engine, rulebook=RULEBOOK)
    assert sorted(a.course_id for a in report.actions) == sorted(w.course_id for w in later)
    assert len(seen) == first


def test_batches_split_the_work_and_a_second_run_at_the_same_now_changes_nothing(
    engine: Engine,
) -> None:
    due = _open(engine, EARLY, 5, "due")
    now = due[0].local(EARLY - timedelta(days=7), 6)
    report = sweep_due(now, engine=engine, rulebook=RULEBOOK, batch_size=2)
    assert (report.batches, report.examined, len(report.actions)) == (3, 5, 5)
    counts, versions = row_counts(engine), _versions(engine)
    with statements(engine) as seen:
        again = sweep_due(now, engine=engine, rulebook=RULEBOOK, batch_size=2)
    assert (again.batches, again.examined, again.actions) == (0, 0, [])
    assert (row_counts(engine), _versions(engine)) == (counts, versions)
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql, _ in seen) == 1


def test_a_sweep_that_finds_nothing_takes_no_write_lock(engine: Engine) -> None:
    due = _open(engine, EARLY, 2, "due")
    before = due[0].local(EARLY - timedelta(days=8), 6)
    with UnitOfWork(engine) as writer:
        writer.session.connection()  # SQLite: BEGIN IMMEDIATE, the database's one writer
        with statements(engine) as seen:
            report = sweep_due(before, engine=engine, rulebook=RULEBOOK)
    assert (report.batches, report.examined, report.actions) == (0, 0, [])
    verbs = [sql.split()[0].upper() for sql, _ in seen]
    assert verbs.count("SELECT") == 1 and not any("IMMEDIATE" in sql for sql, _ in seen)
    now = due[0].local(EARLY - timedelta(days=7), 6)
    report = sweep_due(now, engine=engine, rulebook=RULEBOOK, batch_size=2)
    # A full batch, then a look past it that finds nothing and writes nothing.
    assert (report.batches, report.examined, len(report.actions)) == (1, 2, 2)


def test_instants_are_bound_as_the_text_sqlite_datetime_stores() -> None:
    """The sweep's range scan compares this text: the fast path must not change it."""
    dialect = sqlite.dialect()
    fast = UtcDateTime()._cached_bind_processor(dialect)
    decorator = UtcDateTime().dialect_impl(dialect)
    assert isinstance(decorator, UtcDateTime)
    plain = TypeDecorator.bind_processor(decorator, dialect)  # SQLAlchemy's own chain
    assert fast is not None and plain is not None
    zones = [UTC, ZoneInfo("UTC"), ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")]
    instants = [
        datetime(year, month, 1, 0, 0, 0, micro, tzinfo=zone)
        for zone in zones
        for year, month, micro in [(2026, 1, 0), (2026, 7, 999_999), (999, 12, 5), (9999, 12, 0)]
    ]
    for instant in [*instants, None]:
        assert fast(instant) == plain(instant)
    assert fast(datetime(2026, 7, 1, 12, tzinfo=UTC)) == "2026-07-01 12:00:00.000000"


def _plan(engine: Engine, claim: bool, after_cursor: bool) -> str:
    """The database's plan for one claim (PostgreSQL: scans forbidden where an index
    serves, since on a test's few rows a sequential scan is cheaper)."""
    query = sweep_claims._due(False, after_cursor, claim)
    compiled = query.compile(dialect=engine.dialect)
    instant = datetime(2026, 3, 1, tzinfo=UTC)
    values = {"now": instant, "limit": 200, "after_due": instant, "after_id": "x"}
    params = compiled.construct_params(values)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_bitmapscan = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", params).all()
        else:
            ordered = tuple(params[name] for name in compiled.positiontup or ())
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", ordered).all()
        connection.rollback()
    return "\n".join(str(row[-1]) for row in rows)


def test_a_claim_reads_the_due_order_off_one_index_without_sorting(engine: Engine) -> None:
    """Courses released at one local midnight share their instant: with an index on
    next_due_at alone, each claim sorted that whole group again to find its batch."""
    _open(engine, EARLY, 3, "due")
    for claim, after_cursor in [(False, False), (False, True), (True, True)]:
        plan = _plan(engine, claim, after_cursor)
        assert "ix_courses_next_due_at_id" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def _kinds(ward: Ward) -> list[str]:
    return sorted(task["kind"] for task in ward.view()["open_tasks"])


def test_release_at_the_lead_time_and_one_escalation_when_overdue(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", EARLY)
    release_at = datetime.combine(EARLY - timedelta(days=7), datetime.min.time(), ward.zone)
    assert ward.tick(release_at - timedelta(minutes=1)).actions == []
    assert ward.view()["cycles"][0]["status"] == "planned"
    report = ward.tick(release_at)
    assert [a.actions for a in report.actions] == [["cycle.released"]]
    assert _kinds(ward) == ["book_chairs", "pre_infusion_labs", "prepare_product"]
    day_before = datetime.combine(EARLY - timedelta(days=1), datetime.min.time(), ward.zone)
    assert {task["due_at"] for task in ward.view()["open_tasks"]} == {
        day_before.astimezone(UTC).isoformat()
    }

    overdue_at = datetime.combine(EARLY + timedelta(days=3), datetime.min.time(), ward.zone)
    assert ward.tick(overdue_at - timedelta(minutes=1)).actions == []
    report = ward.tick(overdue_at)
    assert [a.actions for a in report.actions] == [["cycle.overdue"]]
    assert "escalate_overdue" in _kinds(ward)
    counts = row_counts(engine)
    assert ward.tick(overdue_at + timedelta(days=10)).actions == []  # raised once only
    assert row_counts(engine) == counts
    assert [h["rule"] for h in ward.view()["history"]][-2:] == ["cycle.released", "cycle.overdue"]
    # The late cycle is still given and the course goes on.
    ward.give(ward.cycle(), [1, 2, 3])
    assert ward.view()["cycles_completed"] == 1
    ward.assert_consistent()


def test_relapse_checks_in_washout_and_no_cycle_released(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", EARLY)
    for _ in range(6):
        view = ward.run_cycle()
    ward.send("response.assessed", {"outcome": "good"}, ward.local(date(2026, 7, 1)))
    for _ in range(6):
        view = ward.run_cycle()
    assert view["state"] == "washout"
    first_check = datetime.fromisoformat(view["next_due_at"])
    last_day = date.fromisoformat(view["cycles"][-1]["planned_dates"][-1])
    assert first_check == datetime.combine(
        last_day + timedelta(weeks=4), datetime.min.time(), ward.zone
    )
    assert ward.tick(first_check - timedelta(minutes=1)).actions == []
    report = ward.tick(first_check)
    assert [a.actions for a in report.actions] == [["washout.relapse_check"]]
    counts = row_counts(engine)
    assert ward.tick(first_check).actions == []
    assert row_counts(engine) == counts
    # Checks missed while the sweep was down are each raised under their own date
    # (issue 11: collapsing them made the count depend on when the sweep ran).
    report = ward.tick(first_check + timedelta(weeks=13))
    assert [a.actions for a in report.actions] == [["washout.relapse_check"] * 3]
    after = ward.view()
    assert datetime.fromisoformat(after["next_due_at"]) > first_check + timedelta(weeks=13)
    assert _kinds(ward).count("assess_relapse") == 4
    assert (after["state"], len(after["cycles"])) == ("washout", 12)
    ward.assert_consistent()
