"""What the state machine needs to know besides the course: the rules context.

The caller binds the guideline's indication, the centre's calendar and time zone,
and the dose planner; the state machine itself knows no clock, file or database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from ivig_workflow.domain.centre import OpenDays, consecutive_open_days
from ivig_workflow.domain.course.deviation_policy import DeviationPolicy
from ivig_workflow.domain.course.model import DoseOptions, Measurements, PlannedCycle
from ivig_workflow.domain.course.policy import CoursePolicy
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Indication, Source

UTC = ZoneInfo("UTC")


class CyclePlanner(Protocol):
    def __call__(
        self, measurements: Measurements, dose_options: DoseOptions, cycle_number: int
    ) -> PlannedCycle: ...


@dataclass(frozen=True)
class CourseRules:
    indication: Indication
    calendar: OpenDays
    time_zone: ZoneInfo
    plan_cycle: CyclePlanner
    release_lead_days: int = 7
    overdue_grace_days: int = 2
    relapse_check_weeks: int = 4
    # Below this eGFR a physician confirms each cycle before release (None: never).
    renal_confirm_below_egfr: float | None = None
    policy: CoursePolicy = field(default_factory=CoursePolicy)
    deviations: DeviationPolicy = field(default_factory=DeviationPolicy)
    first_infusion_observation_minutes: int = 60

    def midnight(self, day: date) -> datetime:
        """The start of `day` in the centre's zone, as a UTC instant."""
        return _midnight(day, self.time_zone)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.time_zone).date()

    def cycle_days(self, start: date, count: int) -> tuple[date, ...]:
        """A cycle's days: consecutive open days of the centre, or every day for
        acute inpatient indications."""
        if self.indication.days.every_day:
            return tuple(start + timedelta(days=offset) for offset in range(count))
        return consecutive_open_days(start, count, self.calendar)

    def release_at(self, planned_start: date) -> datetime:
        return self.midnight(planned_start - timedelta(days=self.release_lead_days))

    def overdue_at(self, planned_start: date) -> datetime:
        """The end of the last grace day after the planned start."""
        return self.midnight(planned_start + timedelta(days=self.overdue_grace_days + 1))

    def source(self, ref: str | None) -> Source | None:
        """The indication's passage for a table row's source reference."""
        match ref:
            case "interval":
                return self.indication.interval.source
            case "long_term":
                return self.indication.long_term.source
            case "initial_duration":
                return self.indication.initial_duration.source
            case "efficacy":
                return self.indication.efficacy.source
            case "days":
                return self.indication.days.source
            case "dose":
                return self.indication.dose.source
            case _:
                return None

    def cite(self, ref: str | None, policy: str) -> str:
        """The guideline citation, or the workflow policy where the guideline is silent."""
        if ref == "retreatment":
            # The guideline says "only 1 cycle"; the second dose rests on the clinical
            # reference the centre's policy file names.
            retreatment = self.policy.retreatment.get(self.indication.slug)
            return retreatment.citation if retreatment else f"ivig-workflow policy: {policy}"
        source = self.source(ref)
        return source.cite() if source is not None else f"ivig-workflow policy: {policy}"


@lru_cache(maxsize=16_384)
def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Every cycle's release and overdue instants, at every decision: the same days.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def require_aware(field: str, instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InputError(field, "must be timezone-aware")
