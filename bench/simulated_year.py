"""A simulated year: courses across the indications, ward events on the injected clock,
a sweep every simulated hour.

    .venv/bin/python -m bench.simulated_year [--courses 10000] [--days 365] [--smoke]

Courses open through the service over the first four weeks, each day's together.
Whenever a sweep releases a cycle, the ward "gives" it: one infusion event per planned
day at 09:00 local time and a weight observation on its first day, delivered in the
hour they happen. Wall time covers the whole year (opening courses included);
events/s counts ward events only.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bench.common import peak_rss_mb, record, round_figures
from bench.fleet import bench_override
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.db.tables import CourseRow, CycleRow
from ivig_workflow.service.courses import StartCourse, start_courses
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.sweep_collector import SWEEP_THRESHOLDS
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import Delivery, receive_events

YEAR_START = datetime(2027, 1, 4, 0, tzinfo=UTC)
WARD = ZoneInfo("Europe/Berlin")


def open_courses(engine: Any, rulebook: Any, count: int) -> int:
    """`count` courses, the indications in turn, opened over four weeks: each day's
    enrolment in one transaction (`start_courses`)."""
    indications = list(rulebook.guideline.indications)
    by_day: dict[int, list[StartCourse]] = {}
    for n in range(count):
        by_day.setdefault(n % 28, []).append(
            StartCourse(
                patient_ref=f"SIM-{n:06d}",
                indication=indications[n % len(indications)],
                start_date=(YEAR_START + timedelta(days=n % 28 + 14)).date(),
                weight_kg=55 + n % 50,
                override_reason=bench_override(rulebook, indications[n % len(indications)]),
            )
        )
    for offset, commands in sorted(by_day.items()):
        now = YEAR_START + timedelta(days=offset)
        start_courses(commands, engine=engine, rulebook=rulebook, now=now)
    return count


def settle_heap() -> None:
    """As the API server does before it takes any event (`api.app.settle_heap`, not
    imported: the app's modules would add ~80 MB to the peak measured here): start-up's
    heap frozen out of the collector's sight, young collections rarer. Without it the
    collector walking that heap was a quarter of the year's CPU time."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SWEEP_THRESHOLDS)


def ward_events(engine: Any, course_ids: list[str]) -> list[tuple[datetime, dict[str, Any]]]:
    """The ward's events for the cycles a sweep just released: one read for them all."""
    if not course_ids:
        return []
    query = (
        select(CycleRow, col(CourseRow.weight_kg))
        .join(CourseRow, col(CourseRow.id) == col(CycleRow.course_id))
        .where(col(CycleRow.course_id).in_(course_ids), col(CycleRow.status) == "released")
    )
    with reading(engine) as session:
        released = session.execute(query).all()
    out = []
    for cycle, weight_kg in released:
        days = zip(cycle.planned_days, cycle.plan["day_doses_g"], strict=True)
        for day, (when, dose) in enumerate(days, 1):
            at = datetime.combine(date.fromisoformat(when), time(9), WARD)
            key = f"{cycle.course_id}:{cycle.number}:{day}"
            data = {
                "cycle": cycle.number,
                "day": day,
                "dose_g": dose,
                "product": cycle.plan["product"],
                "lot_numbers": ["LOT1"],
            }
            out.append((at, _event("infusion.administered", cycle.course_id, key, at, data)))
            if day == 1:
                weight = {"weight_kg": weight_kg}
                out.append(
                    (at, _event("observation.recorded", cycle.course_id, key + ":w", at, weight))
                )
    return out


def _event(
    kind: str, course_id: str, key: str, at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": kind,
        "course_id": course_id,
        "key": key,
        "occurred_at": at.isoformat(),
        "data": data,
    }


def simulate(url: str, courses: int, days: int) -> dict[str, Any]:
    engine = ensure_schema(url)
    rulebook = load_rulebook()
    settle_heap()
    started = clock.perf_counter()
    opened = open_courses(engine, rulebook, courses)
    opening_s = clock.perf_counter() - started
    pending: list[tuple[datetime, int, dict[str, Any]]] = []
    statuses: dict[str, int] = {}
    events_s = sweeps_s = 0.0
    sweeps = changed = seq = 0
    for hour in range(days * 24):
        now = YEAR_START + timedelta(hours=hour)
        t = clock.perf_counter()
        arrived = []
        while pending and pending[0][0] <= now:
            arrived.append(Delivery(heapq.heappop(pending)[2], sender="ward"))
        # The hour's events arrive together, as the API's group commit would take them.
        for answer in receive_events(arrived, engine=engine, rulebook=rulebook, now=now):
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        t2 = clock.perf_counter()
        report = sweep_due(now, engine=engine, rulebook=rulebook)
        sweeps += 1
        changed += len(report.actions)
        released = [a.course_id for a in report.actions if "cycle.released" in a.actions]
        for at, event in ward_events(engine, released):
            seq += 1
            heapq.heappush(pending, (at, seq, event))
        t3 = clock.perf_counter()
        events_s += t2 - t
        sweeps_s += t3 - t2
    wall = clock.perf_counter() - started
    events = sum(statuses.values())
    return {
        "courses": opened,
        "wall_s": wall,
        "opening_s": opening_s,
        "events": events,
        "statuses": statuses,
        "events_per_s": events / events_s if events_s else 0.0,
        "events_per_wall_s": events / wall,
        "sweeps": sweeps,
        "sweep_total_s": sweeps_s,
        "courses_changed_by_sweeps": changed,
        "process_peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    courses, days = (20, 30) if args.smoke else (args.courses, args.days)
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        figures = simulate(f"sqlite:///{Path(folder) / 'year.sqlite3'}", courses, days)
    # The target is for 10,000 courses over 365 days; a smaller run is scaled linearly.
    scale = (10_000 / max(1, figures["courses"])) * (365 / days)
    record(
        "simulated_year",
        {"courses": courses, "days": days},
        round_figures(figures),
        {"wall_s_scaled_to_10000_courses_365_days": round(figures["wall_s"] * scale, 1)},
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
