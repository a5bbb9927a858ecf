"""What a centre can infuse in a day, and how the scheduler may move cycles.

A day's capacity is chair-minutes within the opening hours of its weekday; the
nurses on duty bound how many patients infuse at once. Both come from
`config/centres.yaml` (a `capacity` block per centre, a `scheduling` block for the
whole file); the guideline says nothing about chairs, so every value here is an
ivig-workflow policy the centre may change.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ivig_workflow.domain.centre import Weekday

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
DEFAULT_HOURS = "08:00-18:00"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def opening_minutes(hours: str) -> tuple[int, int]:
    """`"08:00-18:00"` as minutes after midnight, (480, 1080)."""
    match = _HOURS.match(hours)
    if match is None:
        raise ValueError(f"opening hours must read HH:MM-HH:MM, got {hours!r}")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end > 24 * 60 or end <= start:
        raise ValueError(f"opening hours must close after they open, got {hours!r}")
    return start, end


class ChairCapacity(_Frozen):
    """One centre's chairs, hours and nurses (the chair count stays on `Centre`)."""

    opening_hours: dict[Weekday, str] = Field(
        default_factory=lambda: {day: DEFAULT_HOURS for day in ("mon", "tue", "wed", "thu", "fri")}
    )
    # Nurses on duty per open day; with `patients_per_nurse` it caps patients infusing at once.
    nurses: int = Field(default=2, ge=1)
    patients_per_nurse: int = Field(default=4, ge=1)
    # Cleaning and setting up a chair between two patients.
    turnover_minutes: int = Field(default=15, ge=0, le=240)

    @field_validator("opening_hours")
    @classmethod
    def _readable_hours(cls, value: dict[Weekday, str]) -> dict[Weekday, str]:
        for hours in value.values():
            opening_minutes(hours)
        return value

    @property
    def patients_at_once(self) -> int:
        return self.nurses * self.patients_per_nurse

    def hours_on(self, weekday: Weekday) -> tuple[int, int] | None:
        hours = self.opening_hours.get(weekday)
        return None if hours is None else opening_minutes(hours)


class SchedulingPolicy(_Frozen):
    """How far the scheduler may move a cycle, what it must not touch, and its budget."""

    # The window around a cycle's target date (its planned start); never later than
    # the guideline's maximum interval after day 1 of the cycle before.
    window_days_before: int = Field(default=3, ge=0, le=14)
    window_days_after: int = Field(default=7, ge=0, le=28)
    # Bookings on the next days are kept as they are: product is ordered, patients told.
    freeze_days: int = Field(default=2, ge=0, le=14)
    horizon_weeks: int = Field(default=8, ge=1, le=26)
    time_limit_seconds: float = Field(default=4.0, gt=0, le=300)
    random_seed: int = 7
    # Start times on a grid people book by.
    slot_minutes: int = Field(default=15, ge=5, le=60)
    # A smooth morning: starts in the first hour beyond this many cost `weight_ramp` each.
    morning_starts: int = Field(default=4, ge=0)
    weight_distance: int = Field(default=100, ge=0)  # per day away from the target date
    # Per mille of a day's chair-minutes, on the busiest day and beyond `level_per_mille`
    # on every day (well-run centres book 82-90 % of chair-hours).
    weight_peak: int = Field(default=1, ge=0)
    level_per_mille: int = Field(default=850, ge=0, le=1000)
    weight_ramp: int = Field(default=20, ge=0)
    # After a change that frees or needs chairs the centre is planned again, at most
    # once in this many minutes (changes meanwhile wait for the next), and daily.
    replan_min_minutes: int = Field(default=5, ge=0, le=1440)
    # Moving a cycle already booked (each move is a step of its course and a message to
    # the nurses): a re-plan moves it only for a gain beyond this.
    weight_move: int = Field(default=150, ge=0)

    @model_validator(mode="after")
    def _slot_divides_an_hour(self) -> SchedulingPolicy:
        if 60 % self.slot_minutes:
            raise ValueError("slot_minutes must divide an hour (5, 10, 15, 20, 30 or 60)")
        return self
