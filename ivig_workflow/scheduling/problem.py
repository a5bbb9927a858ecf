"""What the chair scheduler is given and what it answers, as plain frozen data.

Times of day are minutes after local midnight in the centre's zone; dates are the
centre's calendar dates. A day's chair is busy from the booking's start to its end
plus the turnover (cleaning, setting up); its nurses watch the infusion itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal


@dataclass(frozen=True)
class DayCapacity:
    """One open date of the centre."""

    date: date
    chairs: int
    opens: int  # minutes after midnight
    closes: int
    patients_at_once: int  # nurses on duty x patients per nurse
    turnover: int  # minutes a chair is busy after each patient

    @property
    def chair_minutes(self) -> int:
        return self.chairs * (self.closes - self.opens)


@dataclass(frozen=True)
class Booking:
    """One cycle day in one chair."""

    demand: str
    day: int  # 1-based day of the cycle
    date: date
    chair: int  # 1-based
    start: int  # minutes after midnight
    end: int


@dataclass(frozen=True)
class Demand:
    """One cycle to place: all its days on consecutive open calendar days.

    `minutes[i]` is day i+1's chair time. A cycle that cannot move (started, or
    holding bookings inside the freeze window) gives its `fixed_days`; only its
    days on or after the horizon's first date need a chair. `frozen` bookings are
    kept exactly as they are and block their chairs.
    """

    id: str
    minutes: tuple[int, ...]
    target: date
    earliest: date
    latest: date
    fixed_days: tuple[date, ...] | None = None
    frozen: tuple[Booking, ...] = ()
    # Where a cycle already booked is now: a re-plan keeps it there unless moving it
    # gains more than `weight_move`, so planning twice moves nothing the second time.
    current: date | None = None

    @property
    def days(self) -> int:
        return len(self.minutes)


@dataclass(frozen=True)
class Problem:
    start: date  # first date of the horizon (today)
    end: date  # last date, inclusive
    capacity: dict[date, DayCapacity]  # open dates only: a missing date is closed
    demands: tuple[Demand, ...]
    # Bookings kept as they are that belong to no demand (a cycle beyond the horizon,
    # one no longer planned): they block their chairs like frozen ones.
    blocked: tuple[Booking, ...] = ()
    slot: int = 15  # start times on this grid
    morning_starts: int = 4  # starts in the first hour of a day before the ramp costs
    weight_distance: int = 100
    weight_peak: int = 1
    level: int = 850  # per mille of a date's chair-minutes beyond which load costs
    weight_ramp: int = 20
    weight_move: int = 150  # per cycle already booked that the plan moves
    time_limit: float = 4.0  # wall seconds; the solver's own work budget is a sixteenth
    # The optimiser books dates up to this share of their chair-minutes: packing real
    # chairs at real times never reaches 100 %, and a day that does not pack moves.
    fill: float = 0.9
    seed: int = 7
    force_fallback: bool = False  # skip the optimiser (tests, and the baseline)

    def kept(self) -> list[Booking]:
        """Every booking the plan must work around."""
        return [*self.blocked, *(b for d in self.demands for b in d.frozen)]

    def is_open(self, day: date) -> bool:
        return day in self.capacity

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


Solver = Literal["optimal", "feasible", "fallback", "empty"]


@dataclass(frozen=True)
class Unplaced:
    demand: str
    reason: str


@dataclass(frozen=True)
class Plan:
    bookings: tuple[Booking, ...]
    starts: dict[str, date]  # each placed demand's first day
    unplaced: tuple[Unplaced, ...]
    solver: Solver
    objective: float | None = None
    notes: tuple[str, ...] = field(default=())
