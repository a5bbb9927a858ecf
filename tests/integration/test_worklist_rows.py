"""The worklist service: today and tomorrow in the centre's own zone, vial mix, chair minutes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.worklist import centre_worklist, vial_mix

RULEBOOK = load_rulebook()
STARTED = datetime(2025, 12, 29, 8, tzinfo=UTC)
# 23:30 UTC on Monday 5 January: already Tuesday the 6th in Berlin, still Monday in London.
LATE_EVENING = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)


def start(engine: Engine, ref: str, centre: str) -> str:
    course = start_course(
        StartCourse(
            patient_ref=ref,
            indication="dermatomyositis",
            start_date=date(2026, 1, 6),
            weight_kg=70,
            centre=centre,
        ),
        engine=engine,
        rulebook=RULEBOOK,
        now=STARTED,
    )
    return course.course_id


def grams_in(mix: str) -> float:
    return sum(int(n) * float(size) for n, size in re.findall(r"(\d+) x ([\d.]+) g", mix))


def test_today_and_tomorrow_follow_each_centres_time_zone(engine: Engine) -> None:
    berlin = start(engine, "DEMO-0001", "main")
    london = start(engine, "DEMO-0002", "london")
    sweep_due(LATE_EVENING, engine=engine, rulebook=RULEBOOK)

    main = centre_worklist(engine, RULEBOOK, "main", LATE_EVENING)
    assert (main.today, main.tomorrow) == (date(2026, 1, 6), date(2026, 1, 7))
    assert [(r.course_id, r.day) for r in main.infusions_today] == [(berlin, 1)]
    assert [(r.course_id, r.day) for r in main.infusions_tomorrow] == [(berlin, 2)]

    uk = centre_worklist(engine, RULEBOOK, "london", LATE_EVENING)
    assert (uk.today, uk.tomorrow) == (date(2026, 1, 5), date(2026, 1, 6))
    assert uk.infusions_today == []
    assert [(r.course_id, r.day) for r in uk.infusions_tomorrow] == [(london, 1)]

    for row in [*main.infusions_today, *main.infusions_tomorrow, *uk.infusions_tomorrow]:
        assert row.patient_ref.startswith("DEMO-")
        assert row.days >= 2  # 2 g/kg is split over several days
        # The vials cover the day's grams, and the chair is booked for the infusion.
        assert grams_in(row.vials) >= row.grams > 0
        assert row.chair_minutes > 0
        assert row.product
    facts = main.summary()
    assert facts["grams_today"] == main.infusions_today[0].grams
    assert facts["chair_minutes_today"] == main.infusions_today[0].chair_minutes


def test_the_vial_mix_reads_largest_vial_first_and_skips_empty_sizes() -> None:
    assert vial_mix({5.0: 1, 20.0: 2, 10.0: 0}) == "2 x 20 g + 1 x 5 g"
    assert vial_mix({2.5: 3}) == "3 x 2.5 g"
