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
        # Asked for the same days again and again (every placed cycle, every gap check);
        # the holidays' lookup is the slow part. A few thousand days over years of use.
        self._open: dict[date, bool] = {}

    def is_open(self, day: date) -> bool:
        known = self._open.get(day)
        if known is None:
            known = self._open[day] = (
                self.centre.open_on_weekday(day)
                and day not in self._closed
                and day not in self._holidays
            )
        return known

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return None if name is None else str(name)
