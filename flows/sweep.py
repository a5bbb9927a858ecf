"""The sweep: at the run's scheduled time, tick every course that is due.

One flow run per sweep and one task run per batch of due courses, so the
dashboard shows the batches and the run count follows what is due, never the
number of courses held: the service walks the `next_due_at` index batch by batch.
The table artifact `sweep-<centre>` lists what each centre's courses did, by
course id and pseudonymous reference only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from flows.naming import artifact_key, run_name
from flows.resources import engine, instant, rulebook, stamp
from ivig_workflow.service.sweep import SweepReport, sweep_batch
from ivig_workflow.service.sweep_claims import SweepCursor


@task(name="sweep-batch", task_run_name="sweep-batch-{number}")
def sweep_courses(
    at: datetime,
    cursor: SweepCursor | None,
    number: int,
    database_url: str | None,
    batch_size: int,
    centre: str | None,
) -> tuple[SweepReport, SweepCursor | None]:
    """A batch's worth of due courses. Usually one claim; on PostgreSQL the last
    claims of a sweep are smaller (so that workers finish together), and this task
    takes them until it has examined a batch's worth, so the task runs still follow
    the batches due, not the claims."""
    report = SweepReport(now=at)
    while True:
        claimed, cursor = sweep_batch(
            at,
            cursor,
            engine=engine(database_url),
            rulebook=rulebook(),
            batch_size=batch_size,
            centre=centre,
        )
        report.absorb(claimed)
        if cursor is None or report.examined >= batch_size:
            return report, cursor


def artifact_rows(report: SweepReport) -> dict[str, list[dict[str, Any]]]:
    by_centre: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for action in report.actions:
        by_centre[action.centre].append(
            {
                "course_id": action.course_id,
                "patient_ref": action.patient_ref,
                "state": action.state,
                "rules": ", ".join(action.actions),
                "effects": action.effects,
            }
        )
    return dict(by_centre)


def summary(report: SweepReport, at: datetime) -> str:
    lines = [
        f"# Sweep at {stamp(at)}",
        "",
        f"- batches: {report.batches}",
        f"- courses examined: {report.examined}",
        f"- courses changed: {len(report.actions)}",
        f"- errors: {len(report.errors)}",
    ]
    lines += [f"  - {error}" for error in report.errors]
    return "\n".join(lines)


@flow(name="sweep", flow_run_name=run_name("sweep"), log_prints=False)
async def sweep(
    at: datetime | None = None,
    centre: str | None = None,
    database_url: str | None = None,
    batch_size: int = 200,
) -> dict[str, Any]:
    """Tick every due course at `at` (the scheduled time; now when not given).

    `centre` limits the sweep to that centre's courses (all centres when None);
    several runs at once split the due set through the service's row claims.
    """
    when = instant(at)
    report = SweepReport(now=when)
    cursor: SweepCursor | None = None
    number = 1
    while True:
        batch, cursor = sweep_courses(when, cursor, number, database_url, batch_size, centre)
        report.absorb(batch)
        if cursor is None:
            break
        number += 1
    for slug, rows in artifact_rows(report).items():
        await acreate_table_artifact(
            rows,
            key=artifact_key("sweep", slug),
            description=f"Sweep at {stamp(when)}: courses changed",
        )
    await acreate_markdown_artifact(summary(report, when), key="sweep-summary")
    return report.model_dump(mode="json")
