"""One example of each ward event, shown in the OpenAPI document next to its schema."""

from __future__ import annotations

from typing import Any

_AT = "2026-01-12T09:30:00+01:00"
_COURSE = "3f2b8c1e-5d4a-4c2b-9a1e-7b6d5c4f3e2a"


def _event(kind: str, key: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "course_id": _COURSE, "key": key, "occurred_at": _AT}
    if data is not None:
        body["data"] = data
    return body


EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "infusion.administered": _event(
        "infusion.administered",
        "ward-3:ma-1001",
        {"cycle": 1, "day": 1, "dose_g": 35, "product": "privigen", "lot_numbers": ["P100234"]},
    ),
    "response.assessed": _event(
        "response.assessed",
        "ward-3:resp-17",
        {"outcome": "partial", "measures": {"cdasi_activity": 14}},
    ),
    "relapse.reported": _event("relapse.reported", "ward-3:rel-2", {"note": "new blisters"}),
    "adverse_event.reported": _event(
        "adverse_event.reported",
        "ward-3:ae-5",
        {"severity": "mild", "description": "headache after day 2"},
    ),
    "observation.recorded": _event("observation.recorded", "ward-3:wt-88", {"weight_kg": 71.5}),
    "course.held": _event("course.held", "ward-3:hold-1", {"reason": "active infection"}),
    "course.resumed": _event("course.resumed", "ward-3:resume-1", {"reason": "infection cleared"}),
    "course.discontinued": _event(
        "course.discontinued", "ward-3:stop-1", {"reason": "no response after 6 cycles"}
    ),
    "course.completed": _event(
        "course.completed", "ward-3:done-1", {"reason": "remission maintained"}
    ),
    "cycle.release_confirmed": _event(
        "cycle.release_confirmed",
        "ward-3:conf-1",
        {"cycle": 2, "reason": "eGFR 24 stable; benefit outweighs the renal risk"},
    ),
    "long_term.decided": _event(
        "long_term.decided",
        "ward-3:ltd-1",
        {"decision": "continue", "justification": "relapse at each attempt to taper"},
    ),
    "fever.persisted": _event(
        "fever.persisted",
        "ward-3:fever-1",
        {"infusion_ended_at": "2026-01-10T18:00:00+01:00", "temperature_c": 39.2},
    ),
    "deviation.acknowledged": _event(
        "deviation.acknowledged",
        "ward-3:ack-1",
        {"cycle": 1, "kind": "dose_off_plan", "reason": "weight gain since the plan"},
    ),
}
