"""The `chairs` flow under the Prefect test harness: a hold marks its centre, and the
run re-plans the marked centre only, at most once per `replan_min_minutes`; the
clock's job starts no run while nothing is marked."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL
from sqlalchemy import Engine, select
from sqlmodel import col

from flows.chair_replans import replan_chairs
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.db.tables import BookingRow, ChairReplanRow
from ivig_workflow.orchestrator.jobs import Runtime, _nothing_due, _run, run_flow
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import receive_event

RULEBOOK = load_rulebook()
NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
GAP = timedelta(minutes=RULEBOOK.centres.scheduling.replan_min_minutes)


def _open(engine: Engine, centre: str, ref: str) -> str:
    return start_course(
        StartCourse(
            patient_ref=ref,
            indication="dermatomyositis",
            centre=centre,
            start_date=date(2026, 1, 12),
            weight_kg=70,
        ),
        engine=engine,
        rulebook=RULEBOOK,
        now=NOW - timedelta(days=7),
    ).course_id


def _planned_at(engine: Engine) -> dict[str, datetime]:
    with reading(engine) as session:
        return {row.centre_slug: row.planned_at for row in session.scalars(select(ChairReplanRow))}


def _booked(engine: Engine, course_id: str) -> int:
    with reading(engine) as session:
        return len(
            session.scalars(
                select(BookingRow)
                .where(col(BookingRow.course_id) == course_id)
                .where(col(BookingRow.status) == "booked")
            ).all()
        )


def test_the_flow_replans_only_the_marked_centre(prefect_server: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivig.sqlite3'}"
    engine = ensure_schema(url)
    held = _open(engine, "main", "DEMO-0001")
    other = _open(engine, "main", "DEMO-0002")
    _open(engine, "london", "DEMO-0003")
    # New courses mark both centres; the first run plans both.
    first = replan_chairs(at=NOW, database_url=url)
    assert first["replanned"] == ["london", "main"]
    assert _booked(engine, held) and _booked(engine, other)
    assert _nothing_due("chairs", None, url), "no marks left: the job starts no run"
    hold_at = NOW + timedelta(hours=1)
    answer = receive_event(
        {
            "type": "course.held",
            "course_id": held,
            "key": "hold-1",
            "occurred_at": hold_at.isoformat(),
            "data": {"reason": "infection"},
        },
        engine=engine,
        rulebook=RULEBOOK,
        now=hold_at,
    )
    assert answer.status == "applied" and _booked(engine, held) == 0
    assert not _nothing_due("chairs", None, url)
    before = _planned_at(engine)
    second = replan_chairs(at=hold_at + timedelta(minutes=1), database_url=url)
    assert second["replanned"] == ["main"]
    after = _planned_at(engine)
    assert after["london"] == before["london"] and after["main"] > before["main"]
    assert _booked(engine, other) and _booked(engine, held) == 0
    # A second change soon after waits for `replan_min_minutes` since that plan.
    soon = hold_at + timedelta(minutes=2)
    receive_event(
        {
            "type": "course.resumed",
            "course_id": held,
            "key": "resume-1",
            "occurred_at": soon.isoformat(),
        },
        engine=engine,
        rulebook=RULEBOOK,
        now=soon,
    )
    assert replan_chairs(at=soon, database_url=url)["replanned"] == []
    third = replan_chairs(at=hold_at + timedelta(minutes=1) + GAP, database_url=url)
    assert third["replanned"] == ["main"] and _booked(engine, held)

    async def names() -> list[str]:
        async with get_client() as client:
            return [run.name for run in await client.read_flow_runs()]

    assert "chairs-all-2026-01-05T09:01Z" in asyncio.run(names())
    engine.dispose()


def test_the_clock_starts_a_chairs_run_only_for_a_marked_centre(
    prefect_server: None, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'clock.sqlite3'}"
    engine = ensure_schema(url)
    runtime = Runtime(database_url=url, prefect_api=str(PREFECT_API_URL.value()))

    async def runs() -> int:
        async with get_client() as client:
            return len(await client.read_flow_runs())

    before = asyncio.run(runs())
    assert run_flow("chairs", None, runtime) == {"flow_run": "skipped: nothing due"}
    assert asyncio.run(runs()) == before
    _open(engine, "london", "DEMO-0009")
    outcome = run_flow("chairs", None, runtime)
    assert outcome["replanned"] == ["london"]
    assert asyncio.run(runs()) == before + 1
    # Without a Prefect server the clock calls the service itself.
    assert _run("chairs", None, Runtime(database_url=url)) == {"replanned": []}
    engine.dispose()
