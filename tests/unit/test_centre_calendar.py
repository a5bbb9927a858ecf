"""Centres, their open days and the centres file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivig_workflow.domain.centre import Centre, consecutive_open_days
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.loading.centres import load_centres
from tests.unit.course_factories import MAIN, Ward

BERLIN = HolidayCalendar(MAIN)


@pytest.mark.parametrize(
    ("start", "count", "expected", "why"),
    [
        ("2025-01-06", 3, ["2025-01-06", "2025-01-07", "2025-01-08"], "Mon-Wed"),
        ("2025-01-09", 3, ["2025-01-09", "2025-01-10", "2025-01-13"], "skips the weekend"),
        ("2025-01-11", 2, ["2025-01-13", "2025-01-14"], "starts on the next open day"),
        ("2025-10-02", 3, ["2025-10-02", "2025-10-06", "2025-10-07"], "Day of German Unity"),
        ("2025-12-23", 3, ["2025-12-23", "2025-12-24", "2025-12-29"], "Christmas"),
        ("2024-03-07", 2, ["2024-03-07", "2024-03-11"], "Berlin: Women's Day, 8 March"),
    ],
)
def test_cycle_days_are_consecutive_open_days(
    start: str, count: int, expected: list[str], why: str
) -> None:
    days = consecutive_open_days(date.fromisoformat(start), count, BERLIN)
    assert [d.isoformat() for d in days] == expected, why


def test_a_cycle_asked_for_maundy_thursday_moves_past_easter() -> None:
    # Issue 11 changed this: the cycle used to run Thu 17, Tue 22, Wed 23 around Good
    # Friday and Easter Monday; its days are now consecutive (tests/unit/test_cycle_placement.py).
    ward = Ward.start("dermatomyositis", date(2025, 4, 17))  # Maundy Thursday
    assert ward.course.cycles[0].planned_days == (
        date(2025, 4, 22),
        date(2025, 4, 23),
        date(2025, 4, 24),
    )


def test_extra_closures_and_other_countries() -> None:
    london = HolidayCalendar(
        Centre(
            slug="london",
            name="L",
            time_zone="Europe/London",
            country="GB",
            subdivision="ENG",
            chairs=2,
            extra_closed_dates=(date(2025, 1, 7),),
        )
    )
    assert not london.is_open(date(2025, 8, 25))  # English summer bank holiday
    assert BERLIN.is_open(date(2025, 8, 25))
    assert not london.is_open(date(2025, 1, 7))


def test_a_calendar_closed_for_a_year_is_an_input_error() -> None:
    class Closed:
        def is_open(self, day: date) -> bool:
            return False

    with pytest.raises(InputError) as caught:
        consecutive_open_days(date(2025, 1, 1), 2, Closed())
    assert caught.value.field == "calendar"


def test_the_shipped_centres_file_loads() -> None:
    centres = load_centres()
    main = centres.centre()
    assert (main.slug, main.time_zone, main.country, main.chairs) == (
        "main",
        "Europe/Berlin",
        "DE",
        8,
    )
    assert centres.centre("london").subdivision == "ENG"
    with pytest.raises(InputError, match="unknown centre"):
        centres.centre("paris")


@pytest.mark.parametrize(
    ("body", "field_part", "rule_part"),
    [
        (
            "default: main\ncentres:\n  main: {name: M, time_zone: Mars/Base, country: DE, "
            "chairs: 1}\n",
            "centres.main.time_zone",
            "unknown time zone",
        ),
        (
            "default: main\ncentres:\n  main: {name: M, time_zone: UTC, country: DE}\n",
            "centres.main.chairs",
            "required",
        ),
        (
            "default: x\ncentres:\n  main: {name: M, time_zone: UTC, country: DE, chairs: 1}\n",
            "default",
            "names no centre",
        ),
        ("default: main\ncentres: [\n", "centres.yaml", "not valid YAML"),
    ],
)
def test_a_broken_centres_file_names_the_file_and_the_field(
    tmp_path: Path, body: str, field_part: str, rule_part: str
) -> None:
    (tmp_path / "centres.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_centres(tmp_path)
    assert "centres.yaml" in caught.value.field
    assert field_part in caught.value.field
    assert rule_part in caught.value.rule


def test_an_unknown_subdivision_is_named() -> None:
    with pytest.raises(InputError) as caught:
        HolidayCalendar(MAIN.model_copy(update={"subdivision": "XX"}))
    assert caught.value.field == "subdivision"
