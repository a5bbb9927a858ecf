"""cProfile of ward events through the service layer (SQLite): where an event's
milliseconds go. Output kept in results/profile-ingest.txt.

    .venv/bin/python -m bench.profile_ingest
"""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.ward_events import receive_event


def main(courses: int = 60) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ivig-profile-"))
    engine = ensure_schema(f"sqlite:///{folder / 'profile.sqlite3'}")
    rulebook = load_rulebook()
    now = datetime(2026, 1, 5, 8, tzinfo=UTC)
    opened = [
        start_course(
            StartCourse(
                patient_ref=f"PSN-{n:04d}",
                indication="dermatomyositis",
                start_date=date(2026, 1, 12),
                weight_kg=70,
            ),
            engine=engine,
            rulebook=rulebook,
            now=now,
        )
        for n in range(courses)
    ]
    sweep_due(now, engine=engine, rulebook=rulebook)
    profile = cProfile.Profile()
    profile.enable()
    for course in opened:
        cycle = course.cycles[0]
        for day, when in enumerate(cycle.planned_days, start=1):
            receive_event(
                {
                    "type": "infusion.administered",
                    "course_id": course.course_id,
                    "key": f"{course.course_id}-{day}",
                    "occurred_at": f"{when.isoformat()}T09:00:00+01:00",
                    "data": {
                        "cycle": 1,
                        "day": day,
                        "dose_g": cycle.plan.day_doses_g[day - 1],
                        "product": cycle.plan.product,
                        "lot_numbers": ["L1"],
                    },
                },
                engine=engine,
                rulebook=rulebook,
                now=now + timedelta(days=8),
            )
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())


if __name__ == "__main__":
    main()
