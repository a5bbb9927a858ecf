"""Ward events: parsed strictly, errors name the field and the rule."""

from __future__ import annotations

from typing import Any

import pytest

from ivig_workflow.domain.course.events import InfusionAdministered, parse_ward_event
from ivig_workflow.domain.errors import InputError


def raw(type_: str = "infusion.administered", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": type_,
        "course_id": "c-1",
        "key": "ward-1",
        "occurred_at": "2025-01-06T10:00:00+01:00",
        "data": {"cycle": 1, "day": 1, "dose_g": 40, "product": "privigen", "lot_numbers": ["A"]},
    }
    event.update(overrides)
    return event


def test_a_valid_infusion_parses_into_its_model() -> None:
    event = parse_ward_event({**raw(), "actor": "nurse-7"})
    assert isinstance(event, InfusionAdministered)
    assert event.data.lot_numbers == ("A",) and event.actor == "nurse-7"


@pytest.mark.parametrize(
    ("overrides", "field", "rule_part"),
    [
        ({"occurred_at": "2025-01-06T10:00:00"}, "occurred_at", "timezone"),
        ({"key": ""}, "key", "at least 1 character"),
        ({"type": "infusion.given"}, "type", "unknown event type"),
        (
            {"data": {"cycle": 1, "day": 0, "dose_g": 4, "product": "p", "lot_numbers": ["A"]}},
            "data.day",
            "greater than or equal to 1",
        ),
        (
            {"data": {"cycle": 1, "day": 1, "dose_g": 4, "product": "p", "lot_numbers": []}},
            "data.lot_numbers",
            "at least 1",
        ),
        ({"type": "response.assessed", "data": {"outcome": "great"}}, "data.outcome", "'good'"),
        (
            {"type": "adverse_event.reported", "data": {"severity": "severe"}},
            "data.description",
            "required",
        ),
        ({"type": "observation.recorded", "data": {}}, "data", "at least one of"),
        ({"type": "observation.recorded", "data": {"weight_kg": 400}}, "data.weight_kg", "350"),
        ({"type": "observation.recorded", "data": {"egfr": -1}}, "data.egfr", "0"),
        ({"type": "course.held", "data": {}}, "data.reason", "required"),
    ],
)
def test_bad_events_name_the_field_and_the_rule(
    overrides: dict[str, Any], field: str, rule_part: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_ward_event(raw(**overrides))
    assert caught.value.field == field
    assert rule_part in caught.value.rule
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("type_", "data"),
    [
        ("relapse.reported", {}),
        ("relapse.reported", {"note": "new blisters"}),
        ("course.resumed", {}),
        ("course.discontinued", {"reason": "no response"}),
        ("course.completed", {"reason": "remission confirmed"}),
        ("response.assessed", {"outcome": "partial", "measures": ["MMT8 70"]}),
        ("observation.recorded", {"height_cm": 170}),
    ],
)
def test_every_event_type_parses(type_: str, data: dict[str, Any]) -> None:
    assert parse_ward_event(raw(type_, data=data)).type == type_
