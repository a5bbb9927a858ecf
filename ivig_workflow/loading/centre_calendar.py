"""A centre's open days from its weekdays, public holidays and extra closures.

Public holidays come from the `holidays` package for the centre's country and
subdivision (German holidays differ by Land, English ones from Scottish).
"""

from __future__ import annotations

from datetime import date

import holidays

from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.errors import InputError


class HolidayCalendar:
    """Implements `OpenDays` for one centre."""

    def __init__(self, centre: Centre) -> None:
        self.centre = centre
        try:
            self._holidays = holidays.country_holidays(centre.country, subdiv=centre.subdivision)
        except NotImplementedError as exc:
            field = "subdivision" if "subdivision" in str(exc) else "country"
            raise InputError(field, f"no public holidays known: {exc}") from None
        self._closed = frozenset(centre.extra_closed_dates)

    def is_open(self, day: date) -> bool:
        return (
            self.centre.open_on_weekday(day)
            and day not in self._closed
            and day not in self._holidays
        )

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return None if name is None else str(name)
