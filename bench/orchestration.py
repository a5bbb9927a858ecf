"""Orchestration overhead: our sweep flow against one Prefect task run per course.

    .venv/bin/python -m bench.orchestration [--due 1000] [--runs 1] [--smoke]

Both designs sweep the same 1,000 due courses (the database is put back between
runs) under the same Prefect server (a temporary one, `prefect_test_harness`).
Runs created are counted on the server after the flow has finished.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import median, record, round_figures
from bench.fleet import raw_connection
from bench.snapshot import Snapshot, db_instant
from bench.sweep import build, cached_sqlite
from ivig_workflow.db.engine import make_engine
from ivig_workflow.domain.course.transitions import tick
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork


def naive_flows() -> Any:
    """The design we did not choose: a task run per due course."""
    from prefect import flow, task

    @task(name="tick-one-course")
    def tick_one(url: str, course_id: str, at: datetime) -> bool:
        rulebook = load_rulebook()
        with UnitOfWork(make_engine(url)) as uow:
            course = uow.courses.load(course_id)
            assert course is not None
            decision = tick(
                course,
                at,
                rules=rulebook.rules_for(
                    course.indication, course.centre, course.guideline_version
                ),
            )
            if decision.course != course:
                uow.courses.save(decision, at)
            uow.commit()
        return bool(decision.transitions)

    @flow(name="naive-sweep")
    def naive_sweep(url: str, at: datetime) -> int:
        with raw_connection(make_engine(url)) as connection:
            cursor = connection.cursor()
            cursor.execute(
                "SELECT id FROM courses WHERE next_due_at <= ?", [db_instant(make_engine(url), at)]
            )
            due = [row[0] for row in cursor.fetchall()]
        # One after the other: submitted concurrently, the task runs fight over SQLite's
        # single writer lock and fail with "database is locked" (measured: see README).
        return sum(1 for course_id in due if tick_one(url, course_id, at))

    return naive_sweep


async def _runs_on_server(since: datetime) -> tuple[int, int]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterStartTime,
        TaskRunFilter,
        TaskRunFilterStartTime,
    )

    async with get_client() as client:
        await asyncio.sleep(3)  # task runs reach the server through events, a little later
        flows = await client.count_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since))
        )
        tasks = await client.read_task_runs(
            task_run_filter=TaskRunFilter(start_time=TaskRunFilterStartTime(after_=since)),
            limit=200,
        )
        count, offset = len(tasks), len(tasks)
        while len(tasks) == 200:
            tasks = await client.read_task_runs(
                task_run_filter=TaskRunFilter(start_time=TaskRunFilterStartTime(after_=since)),
                limit=200,
                offset=offset,
            )
            count, offset = count + len(tasks), offset + len(tasks)
        return flows, count


def measure(url: str, at: datetime, runs: int) -> dict[str, Any]:
    from prefect.testing.utilities import prefect_test_harness

    from flows.sweep import sweep

    snapshot = Snapshot(make_engine(url), at)
    results: dict[str, dict[str, list[float]]] = {"flow": {}, "naive": {}}
    with prefect_test_harness(server_startup_timeout=120):
        naive = naive_flows()
        # Warm-up with nothing due: the first run of each pays registration, not sweeping.
        early = at.replace(year=at.year - 1)
        asyncio.run(sweep(at=early, database_url=url))
        naive(url, early)
        for _ in range(runs):
            for design in ("flow", "naive"):
                since = datetime.now().astimezone()
                started = time.perf_counter()
                if design == "flow":
                    asyncio.run(sweep(at=at, database_url=url))
                else:
                    naive(url, at)
                wall = time.perf_counter() - started
                flow_runs, task_runs = asyncio.run(_runs_on_server(since))
                snapshot.restore()
                for name, value in (
                    ("wall_s", wall),
                    ("flow_runs", flow_runs),
                    ("task_runs", task_runs),
                ):
                    results[design].setdefault(name, []).append(value)
    figures = {f"{d}_{k}": median(v) for d, kv in results.items() for k, v in kv.items()}
    figures["due"] = snapshot.due
    return figures


def main() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        if args.smoke:
            url = f"sqlite:///{Path(folder) / 'orch.sqlite3'}"
            info = build(url, 2_000)
        else:
            source, info = cached_sqlite(100_000, fresh=False)  # 1 % of it: 1,000 due
            copy = Path(folder) / "orch.sqlite3"
            shutil.copyfile(source.removeprefix("sqlite:///"), copy)
            url = f"sqlite:///{copy}"
        figures = measure(
            url, datetime.fromisoformat(info["at_all"]), 1 if args.smoke else args.runs
        )
    runs_ours = figures["flow_flow_runs"] + figures["flow_task_runs"]
    runs_naive = figures["naive_flow_runs"] + figures["naive_task_runs"]
    record(
        "orchestration",
        {"due": figures["due"], "runs": args.runs},
        round_figures(figures),
        round_figures(
            {
                "naive_over_flow_wall": figures["naive_wall_s"] / figures["flow_wall_s"],
                "naive_over_flow_runs": runs_naive / max(1, runs_ours),
            }
        ),
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
