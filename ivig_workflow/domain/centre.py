"""An infusion centre and the days it is open.

Cycle days are consecutive days the centre is open. How a centre knows its
holidays is outside the domain (`ivig_workflow.loading.centre_calendar`); the domain only
asks `is_open(day)`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ivig_workflow.domain.errors import InputError

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A calendar that is closed for a whole year is misconfigured, not busy.
_SEARCH_LIMIT_DAYS = 366


class Centre(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    time_zone: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = None
    open_weekdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    extra_closed_dates: tuple[date, ...] = ()
    chairs: int = Field(ge=1)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("open_weekdays")
    @classmethod
    def _some_open_day(cls, value: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        if not value:
            raise ValueError("a centre must be open on at least one weekday")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def open_on_weekday(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.open_weekdays


class OpenDays(Protocol):
    def is_open(self, day: date) -> bool: ...


def consecutive_open_days(start: date, count: int, calendar: OpenDays) -> tuple[date, ...]:
    """The first open day on or after `start`, then the next open days."""
    if count < 1:
        raise InputError("days", "a cycle has at least one day")
    days: list[date] = []
    day = start
    while len(days) < count:
        if (day - start).days > _SEARCH_LIMIT_DAYS:
            raise InputError("calendar", f"no {count} open days within a year of {start}")
        if calendar.is_open(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)
