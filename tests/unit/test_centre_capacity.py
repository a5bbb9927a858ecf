"""A centre's chair capacity from config/centres.yaml: defaults, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_workflow.domain.capacity import ChairCapacity, opening_minutes
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.centres import load_centres

CENTRE = "default: main\ncentres:\n  main: {name: M, time_zone: UTC, country: DE, chairs: 4"


def test_the_shipped_centres_have_hours_nurses_and_turnover() -> None:
    centres = load_centres()
    main = centres.capacity("main")
    assert main.hours_on("mon") == (480, 1080)
    assert main.hours_on("sat") is None
    assert main.patients_at_once == 8 and main.turnover_minutes == 15
    assert centres.scheduling.freeze_days == 2 and centres.scheduling.horizon_weeks == 8


def test_a_centre_without_a_capacity_block_gets_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "centres.yaml").write_text(CENTRE + "}\n", encoding="utf-8")
    assert load_centres(tmp_path).capacity("main") == ChairCapacity()


@pytest.mark.parametrize(
    ("extra", "field_part", "rule_part"),
    [
        (", capacity: {opening_hours: {mon: '8-18'}}", "capacity.opening_hours", "HH:MM-HH:MM"),
        (
            ", capacity: {opening_hours: {mon: '18:00-08:00'}}",
            "capacity.opening_hours",
            "close after they open",
        ),
        (
            ", capacity: {opening_hours: {mon: '08:00-18:00'}}",
            "opening_hours.tue",
            "no opening hours",
        ),
        (", capacity: {nurses: 0}", "capacity.nurses", "greater than or equal to 1"),
        (", capacity: {chairs_per_nurse: 3}", "capacity.chairs_per_nurse", "not permitted"),
    ],
)
def test_a_broken_capacity_names_the_centre_and_the_field(
    tmp_path: Path, extra: str, field_part: str, rule_part: str
) -> None:
    (tmp_path / "centres.yaml").write_text(CENTRE + extra + "}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_centres(tmp_path)
    assert "centres.main." in caught.value.field and field_part in caught.value.field
    assert rule_part in caught.value.rule


def test_a_broken_scheduling_block_is_named(tmp_path: Path) -> None:
    body = CENTRE + "}\nscheduling: {slot_minutes: 7}\n"
    (tmp_path / "centres.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match="slot_minutes must divide an hour") as caught:
        load_centres(tmp_path)
    assert "scheduling" in caught.value.field


def test_opening_minutes_reads_the_clock() -> None:
    assert opening_minutes("07:30-24:00") == (450, 1440)
