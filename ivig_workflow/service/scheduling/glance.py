"""A centre's chairs at a glance, for `ivig demo`: re-plan, then the week as bars."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.views import load_chart, schedule_view


def chairs_at_a_glance(engine: Engine, rulebook: Rulebook, now: datetime) -> str:
    """Every centre re-planned from today; its next seven days' booked share as bars."""
    parts = []
    for slug in rulebook.centres.centres:
        report = plan_centre(engine, rulebook, slug, now=now)
        view = schedule_view(engine, rulebook, slug, report.first, report.first + timedelta(days=6))
        weeks = rulebook.centres.scheduling.horizon_weeks
        parts.append(
            f"chairs at {slug}: {report.bookings} bookings over {weeks} weeks, "
            f"{len(report.moved)} cycles moved, {len(report.unplaced)} unplaced, "
            f"utilisation {report.utilisation:.0%} ({report.solver})\n"
            + load_chart(view["capacity"], width=30)
        )
    return "\n".join(parts)
