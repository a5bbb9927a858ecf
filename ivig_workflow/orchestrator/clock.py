"""The clock: one APScheduler scheduler that fires the flows on their schedules.

Jobs live in a SQLite job store in the state folder, so after a restart the
scheduler knows which runs it missed: `coalesce` folds them into one run and
`misfire_grace_time` bounds how late that run may still be. Prefect's own
`serve()` cannot do this (it pauses schedules or bursts every missed run).
`max_instances=1`: a slow sweep is never overlapped by the next one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from ivig_workflow.orchestrator.schedules import Schedules
from ivig_workflow.service.rulebook import Rulebook

JOB = "ivig_workflow.orchestrator.jobs:run_job"


def planned_jobs(schedules: Schedules, rulebook: Rulebook) -> list[dict[str, Any]]:
    """Each job as add_job keywords: its id, trigger and misfire grace."""
    jobs: list[dict[str, Any]] = []
    for slug in rulebook.centres.centres:
        # One sweep per centre: each shows as its own run, `sweep-<centre>-...`.
        jobs.append(
            {
                "id": f"sweep-{slug}",
                "name": f"sweep-{slug}",
                "trigger": IntervalTrigger(seconds=schedules.sweep.seconds),
                "kwargs": {"kind": "sweep", "centre": slug},
                "misfire_grace_time": schedules.sweep.misfire_grace_seconds,
            }
        )
    for kind in ("dispatch", "relay", "chairs"):
        every = getattr(schedules, kind)
        jobs.append(
            {
                "id": kind,
                "name": kind,
                "trigger": IntervalTrigger(seconds=every.seconds),
                "kwargs": {"kind": kind},
                "misfire_grace_time": every.misfire_grace_seconds,
            }
        )
    for slug, centre in rulebook.centres.centres.items():
        at = schedules.worklist.at
        jobs.append(
            {
                "id": f"worklist-{slug}",
                "name": f"worklist-{slug}",
                "trigger": CronTrigger(hour=at.hour, minute=at.minute, timezone=centre.zone),
                "kwargs": {"kind": "worklist", "centre": slug},
                "misfire_grace_time": schedules.worklist.misfire_grace_seconds,
            }
        )
    return jobs


def build_clock(store: Path, schedules: Schedules, rulebook: Rulebook) -> BackgroundScheduler:
    """A started clock whose jobs are the configured ones, missed runs kept."""
    store.parent.mkdir(parents=True, exist_ok=True)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{store}")},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone="UTC",
    )
    # Paused: the stored jobs load (with their missed run times) before any fires.
    scheduler.start(paused=True)
    wanted = planned_jobs(schedules, rulebook)
    for job in wanted:
        stored = scheduler.get_job(job["id"])
        if stored is not None and str(stored.trigger) == str(job["trigger"]):
            # Same schedule as before: keep its next run time, so a missed run is caught up.
            scheduler.modify_job(
                job["id"], misfire_grace_time=job["misfire_grace_time"], kwargs=job["kwargs"]
            )
            continue
        if job["kwargs"]["kind"] != "worklist":
            # A new interval job runs at once: a fresh install sweeps on start.
            job = {**job, "next_run_time": datetime.now(UTC)}
        scheduler.add_job(JOB, replace_existing=True, **job)
    for stale in scheduler.get_jobs():
        if stale.id not in {job["id"] for job in wanted}:
            stale.remove()
    scheduler.resume()
    return scheduler
