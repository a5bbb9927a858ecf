"""Dates and instants a ward may send: within years 2000 to 2100.

ivig-workflow policy (the guideline is silent): an IVIg course in this service's life is
planned, given and followed up within those years; a date outside them is a typing or
clock mistake, and refusing it at the boundary keeps calendar arithmetic (time zones,
cycle plans) from running off the end of the calendar (year 9999 at -14:00 is year 10000
in UTC).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
RULE = f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _plausible_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(RULE)
    return value


def _plausible_instant(value: datetime) -> datetime:
    _plausible_date(value.date())  # the wall-clock date the ward wrote, before any offset
    return value


# The years, and an ISO 8601 text with its offset, written into the JSON Schema as well.
_YEARS = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}"
_DOCUMENTED_DATE = Field(json_schema_extra={"pattern": _YEARS + "$"})
_DOCUMENTED_INSTANT = Field(
    json_schema_extra={"pattern": _YEARS + r"T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})$"}
)
PlausibleDate = Annotated[date, AfterValidator(_plausible_date), _DOCUMENTED_DATE]
PlausibleInstant = Annotated[AwareDatetime, AfterValidator(_plausible_instant), _DOCUMENTED_INSTANT]
