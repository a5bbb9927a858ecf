"""Re-plan the centres whose chairs a change freed or needs, soon and not too often.

A course step that frees or needs chairs marks its centre (`db/chair_marks.py`, in
the step's transaction). The clock's `chairs` job asks `centres_due`: one select on
the marks table, empty when nothing waits. A marked centre is due when a marked day
falls inside its horizon and its last plan is at least
`scheduling.replan_min_minutes` old (config/centres.yaml): a ward round's events
gather into one re-plan. The re-plan (`plan_centre`) takes the marks it saw; the
daily worklist re-plan takes them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import col, select

from ivig_workflow.db.tables import ChairReplanMarkRow, ChairReplanRow
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.report import ScheduleReport
from ivig_workflow.service.unit_of_work import reading


@dataclass(frozen=True)
class Marked:
    centre: str
    needed_from: date
    marks: int


def marked_centres(engine: Engine, centre: str | None = None) -> list[Marked]:
    """Each centre with marks waiting (one select; nothing when none wait)."""
    statement = select(
        col(ChairReplanMarkRow.centre_slug),
        func.min(col(ChairReplanMarkRow.needed_from)),
        func.count(),
    ).group_by(col(ChairReplanMarkRow.centre_slug))
    if centre is not None:
        statement = statement.where(col(ChairReplanMarkRow.centre_slug) == centre)
    with reading(engine) as session:
        rows = session.execute(statement.order_by(col(ChairReplanMarkRow.centre_slug))).all()
    return [Marked(slug, needed, count) for slug, needed, count in rows]


def centres_due(
    engine: Engine, rulebook: Rulebook, now: datetime, centre: str | None = None
) -> list[str]:
    """The marked centres to re-plan now: a marked day in the horizon, and the last
    plan at least `replan_min_minutes` ago."""
    marked = [m for m in marked_centres(engine, centre) if m.centre in rulebook.centres.centres]
    if not marked:
        return []
    policy = rulebook.centres.scheduling
    with reading(engine) as session:
        last = dict(
            session.execute(
                select(col(ChairReplanRow.centre_slug), col(ChairReplanRow.planned_at)).where(
                    col(ChairReplanRow.centre_slug).in_([m.centre for m in marked])
                )
            ).all()
        )
    gap = timedelta(minutes=policy.replan_min_minutes)
    due = []
    for mark in marked:
        today = now.astimezone(rulebook.centres.centre(mark.centre).zone).date()
        in_horizon = mark.needed_from <= today + timedelta(weeks=policy.horizon_weeks)
        planned = last.get(mark.centre)
        if in_horizon and (planned is None or planned + gap <= now):
            due.append(mark.centre)
    return due


def replan_marked(
    engine: Engine, rulebook: Rulebook, now: datetime, centre: str | None = None
) -> list[ScheduleReport]:
    """Re-plan every centre due now (see `centres_due`), one transaction each."""
    return [
        plan_centre(engine, rulebook, slug, now=now)
        for slug in centres_due(engine, rulebook, now, centre)
    ]
