"""A centre's open dates with their chairs, hours and nurses, for the planner."""

from __future__ import annotations

from datetime import date, timedelta

from ivig_workflow.domain.capacity import ChairCapacity
from ivig_workflow.domain.centre import WEEKDAYS, Centre, OpenDays
from ivig_workflow.scheduling import DayCapacity


def capacity_days(
    centre: Centre, capacity: ChairCapacity, calendar: OpenDays, first: date, last: date
) -> dict[date, DayCapacity]:
    """Open dates only; a date missing from the answer is closed."""
    days: dict[date, DayCapacity] = {}
    day = first
    while day <= last:
        hours = capacity.hours_on(WEEKDAYS[day.weekday()])
        if hours is not None and calendar.is_open(day):
            days[day] = DayCapacity(
                date=day,
                chairs=centre.chairs,
                opens=hours[0],
                closes=hours[1],
                patients_at_once=capacity.patients_at_once,
                turnover=capacity.turnover_minutes,
            )
        day += timedelta(days=1)
    return days
