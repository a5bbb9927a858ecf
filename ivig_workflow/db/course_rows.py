"""Map a domain `Course` to its rows and back.

The course row carries the scalar state (and the version counter for optimistic
locking); cycles and infusion days are rows of their own so that pharmacy, the
worklist and an inspector can query them. Writing compares with what was loaded
and touches only rows that changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ivig_workflow.db.statuses import CycleStatus
from ivig_workflow.domain.course.deviation import Deviation
from ivig_workflow.domain.course.model import (
    Course,
    Cycle,
    DoseOptions,
    InfusionDay,
    Measurements,
    PlannedCycle,
    ReleaseConfirmation,
)


def course_from_rows(row: Any, patient_ref: str, cycles: list[Any], days: list[Any]) -> Course:
    """From row mappings of courses, cycles and infusion_days (`Result.mappings()`):
    a mapping's key lookup is ~10x cheaper than a Core row's attribute."""
    by_cycle: dict[int, list[Any]] = {}
    for day in days:
        by_cycle.setdefault(day["cycle_id"], []).append(day)
    return Course(
        course_id=row["id"],
        patient_ref=patient_ref,
        centre=row["centre_slug"],
        indication=row["indication"],
        guideline_version=row["guideline_version"],
        state=row["state"],
        state_before_hold=row["state_before_hold"],
        state_after_decision=row["state_after_decision"],
        series=row["series"],
        cycles_in_series_completed=row["cycles_in_series_completed"],
        cycles_completed=row["cycles_completed"],
        interval_weeks=row["interval_weeks"],
        measurements=Measurements(
            weight_kg=row["weight_kg"],
            height_cm=row["height_cm"],
            egfr=row["egfr"],
            measured_at=row["measured_at"],
        ),
        dose_options=DoseOptions.model_validate(row["dose_options"]),
        cycles=tuple(
            _cycle(cycle, by_cycle.get(cycle["id"], []))
            for cycle in sorted(cycles, key=lambda c: c["number"])
        ),
        last_relapse_check_at=row["last_relapse_check_at"],
        next_relapse_check_at=row["next_relapse_check_at"],
        next_due_at=row["next_due_at"],
        opened_at=row["started_at"],
        start_date=row["start"]["start_date"],
    )


def _cycle(row: Any, days: list[Any]) -> Cycle:
    return Cycle(
        number=row["number"],
        series=row["series"],
        number_in_series=row["number_in_series"],
        planned_start=row["planned_start"],
        planned_days=tuple(date.fromisoformat(day) for day in row["planned_days"]),
        plan=PlannedCycle.model_validate(row["plan"]),
        status=row["status"].value,
        released_at=row["released_at"],
        escalated_at=row["escalated_at"],
        release_held_at=row["release_held_at"],
        release_confirmation=(
            None
            if row["release_confirmation"] is None
            else ReleaseConfirmation.model_validate(row["release_confirmation"])
        ),
        deviations=tuple(Deviation.model_validate(d) for d in row["deviations"] or ()),
        target_start=row["target_start"],
        moves=row["moves"],
        infusions=tuple(
            InfusionDay(
                day=day["day"],
                date=day["date"],
                dose_g=day["dose_g"],
                product=day["product"],
                lot_numbers=tuple(day["lot_numbers"]),
                event_key=day["event_key"] or "",
            )
            for day in sorted(days, key=lambda d: d["day"])  # the domain keeps days in day order
        ),
    )


def cycle_values(cycle: Cycle) -> dict[str, Any]:
    return {
        "series": cycle.series,
        "number_in_series": cycle.number_in_series,
        "planned_start": cycle.planned_start,
        "planned_days": [day.isoformat() for day in cycle.planned_days],
        "plan": cycle.plan.model_dump(mode="json"),
        "status": CycleStatus(cycle.status),
        "released_at": cycle.released_at,
        "escalated_at": cycle.escalated_at,
        "release_held_at": cycle.release_held_at,
        "release_confirmation": (
            None
            if cycle.release_confirmation is None
            else cycle.release_confirmation.model_dump(mode="json")
        ),
        "deviations": [deviation.model_dump(mode="json") for deviation in cycle.deviations],
        "target_start": cycle.target_start,
        "moves": cycle.moves,
    }
