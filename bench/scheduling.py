"""Chair scheduling over a year: the optimiser against first come, first served.

    .venv/bin/python -m bench.scheduling [--courses 300 --chairs 10 --seed 7] [--smoke]

A centre with `--chairs` chairs (08:00-18:00 Monday to Friday, German public
holidays of Berlin, 3 nurses for 3 patients each, 15 minutes turnover) and a year of
synthetic courses across the chair-scheduled indications (seeded): each course
starts on a random day of the year, runs 2 to 12 cycles, 4 weeks apart (5, then 6
weeks after cycle 6, the interval extension), 2 to 5 days per cycle, each day's
chair time from the real dose planner for the patient's weight.

Every Monday the centre re-plans the next 8 weeks (each course's next cycle, its
window 3 days before to 7 after its target and never past day 1 of the cycle
before + the guideline's 6 weeks); the cycles that start that week are booked for
good and the next cycle of each is due an interval after its day 1. The same year
runs three ways in the same process: as planned today (every cycle on its target,
no chairs counted: the days over capacity), first come first served (the greedy
pass alone) and the optimiser (CP-SAT dates, then the same packing). Figures:
chair utilisation, mean and peak daily load, days over capacity, the largest
distance from a target date, cycles that missed their window, and the time of each
re-plan of 8 weeks (median and max) - the daily re-plan's cost.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import record
from ivig_workflow.domain.centre import consecutive_open_days
from ivig_workflow.domain.course.model import DoseOptions, DoseOverride, Measurements
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.scheduling import Booking, DayCapacity, Demand, Problem, check_plan, plan_chairs
from ivig_workflow.service.rulebook import load_rulebook

YEAR = date(2026, 1, 5)  # a Monday
HOURS = (480, 1080)
TURNOVER = 15


@dataclass
class Course:
    id: str
    cycles: int
    minutes: tuple[int, ...]
    target: date
    done: int = 0
    previous_day1: date | None = None


def cohort(count: int, seed: int, days: int) -> list[Course]:
    rulebook = load_rulebook()
    chance = random.Random(seed)
    scheduled = [i for i in rulebook.guideline.indications.values() if not i.days.every_day]
    measured = datetime(2026, 1, 1, tzinfo=UTC)
    courses = []
    for number in range(count):
        indication = scheduled[number % len(scheduled)]
        plan = rulebook.planner(indication)(
            Measurements(weight_kg=round(chance.uniform(48, 110), 1), measured_at=measured),
            DoseOptions(
                days=chance.choice([2, 3, 3, 4, 5]),
                # Where the guideline gives no recommendation a physician must give a reason.
                override=(
                    DoseOverride(reason="benchmark cohort")
                    if indication.line.line == "no_recommendation"
                    else None
                ),
            ),
            2,
        )
        courses.append(
            Course(
                id=f"C{number:04d}",
                cycles=chance.choice([2, 3, 4, 6, 6, 6, 8, 12]),
                minutes=plan.chair_minutes,
                target=YEAR + timedelta(days=chance.randrange(days)),
            )
        )
    return courses


def interval_after(cycle: int) -> int:
    return 4 if cycle < 6 else min(6, 4 + cycle - 5)


def capacity(chairs: int, first: date, last: date) -> dict[date, DayCapacity]:
    calendar = HolidayCalendar(load_rulebook().centres.centre("main"))
    days, day = {}, first
    while day <= last:
        if day.weekday() < 5 and calendar.is_open(day):
            days[day] = DayCapacity(day, chairs, HOURS[0], HOURS[1], 9, TURNOVER)
        day += timedelta(days=1)
    return days


def run_year(
    courses: list[Course], chairs: int, weeks: int, optimiser: bool, limit: float
) -> dict[str, Any]:
    courses = [replace(c) for c in courses]
    last = YEAR + timedelta(weeks=weeks) - timedelta(days=1)
    open_days = capacity(chairs, YEAR, last + timedelta(weeks=10))
    kept: list[Booking] = []
    away: list[int] = []
    missed, seconds, solvers = 0, [], []
    for week in range(weeks):
        monday = YEAR + timedelta(weeks=week)
        end = monday + timedelta(weeks=8) - timedelta(days=1)
        demands = []
        for c in courses:
            if c.done >= c.cycles or c.target > end:
                continue
            latest = c.target + timedelta(days=7)
            if c.previous_day1 is not None:
                latest = min(latest, c.previous_day1 + timedelta(weeks=6))
            earliest = max(c.target - timedelta(days=3), monday)
            if latest < earliest:  # the window has passed: a person books it, next week on
                missed += 1
                c.target, c.previous_day1 = monday, None
                earliest, latest = monday, monday + timedelta(days=13)
            demands.append(Demand(c.id, c.minutes, c.target, earliest, latest))
        problem = Problem(
            start=monday,
            end=end,
            capacity=open_days,
            demands=tuple(demands),
            blocked=tuple(b for b in kept if b.date >= monday),
            time_limit=limit,
            force_fallback=not optimiser,
        )
        started = time.perf_counter()
        plan = plan_chairs(problem)
        seconds.append(time.perf_counter() - started)
        solvers.append(plan.solver)
        assert check_plan(problem, plan) == [], "a plan broke a hard rule"
        by_course = {c.id: c for c in courses}
        for booking in plan.bookings:
            if plan.starts[booking.demand] < monday + timedelta(days=7):
                kept.append(booking)
        for course_id, start in plan.starts.items():
            if start >= monday + timedelta(days=7):
                continue
            c = by_course[course_id]
            away.append(abs((start - c.target).days))
            c.done += 1
            c.previous_day1 = start
            c.target = start + timedelta(weeks=interval_after(c.done))
    return summary(kept, open_days, YEAR, last, chairs) | {
        "largest_days_from_target": max(away, default=0),
        "mean_days_from_target": round(statistics.mean(away), 2) if away else 0,
        "cycles_booked": len(away),
        "cycles_missed_window": missed,
        "replan_seconds_median": round(statistics.median(seconds), 3),
        "replan_seconds_max": round(max(seconds), 3),
        "solvers": {s: solvers.count(s) for s in sorted(set(solvers))},
    }


def as_planned(courses: list[Course], chairs: int, weeks: int) -> dict[str, Any]:
    """Today's behaviour: each cycle on its target (consecutive open days), chairs not counted."""
    last = YEAR + timedelta(weeks=weeks) - timedelta(days=1)
    open_days = capacity(chairs, YEAR, last + timedelta(weeks=10))

    class Calendar:
        def is_open(self, day: date) -> bool:
            return day in open_days

    bookings = []
    for c in courses:
        target = c.target
        for cycle in range(1, c.cycles + 1):
            if target > last:
                break
            days = consecutive_open_days(target, len(c.minutes), Calendar())
            bookings += [
                Booking(c.id, n + 1, d, 1, HOURS[0], HOURS[0] + m)
                for n, (d, m) in enumerate(zip(days, c.minutes, strict=True))
            ]
            target = days[0] + timedelta(weeks=interval_after(cycle))
    return summary(bookings, open_days, YEAR, last, chairs) | {
        "cycles_booked": len(
            {(b.demand, b.date - timedelta(days=b.day)) for b in bookings if b.day == 1}
        )
    }


def summary(
    bookings: list[Booking],
    open_days: dict[date, DayCapacity],
    first: date,
    last: date,
    chairs: int,
) -> dict[str, Any]:
    days = [d for d in open_days if first <= d <= last]
    booked = {d: 0 for d in days}
    chair_use = {d: 0 for d in days}
    for b in bookings:
        if b.date in booked:
            booked[b.date] += b.end - b.start
            chair_use[b.date] += b.end - b.start + TURNOVER
    room = {d: open_days[d].chair_minutes for d in days}
    shares = [booked[d] / room[d] for d in days]
    over = sum(1 for d in days if chair_use[d] > chairs * (HOURS[1] - HOURS[0] + TURNOVER))
    return {
        "utilisation": round(sum(booked.values()) / sum(room.values()), 3),
        "mean_daily_load": round(statistics.mean(shares), 3),
        "peak_daily_load": round(max(shares), 3),
        "days_over_capacity": over,
        "open_days": len(days),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=300)
    parser.add_argument("--chairs", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=4.0)
    parser.add_argument("--smoke", action="store_true", help="30 courses, 3 chairs, 8 weeks")
    args = parser.parse_args()
    if args.smoke:
        args.courses, args.chairs, args.weeks, args.time_limit = 30, 3, 8, 1.0
    courses = cohort(args.courses, args.seed, days=7 * args.weeks * 3 // 4)
    naive = as_planned(courses, args.chairs, args.weeks)
    fcfs = run_year(courses, args.chairs, args.weeks, optimiser=False, limit=args.time_limit)
    best = run_year(courses, args.chairs, args.weeks, optimiser=True, limit=args.time_limit)
    ratios = {
        "peak_load_optimiser_over_fcfs": round(
            best["peak_daily_load"] / fcfs["peak_daily_load"], 3
        ),
        "utilisation_optimiser_over_fcfs": round(best["utilisation"] / fcfs["utilisation"], 3),
        "largest_distance_optimiser_over_fcfs": round(
            best["largest_days_from_target"] / max(fcfs["largest_days_from_target"], 1), 3
        ),
        "replan_optimiser_over_fcfs_time": round(
            best["replan_seconds_median"] / max(fcfs["replan_seconds_median"], 1e-6), 1
        ),
    }
    record(
        "scheduling",
        {
            "courses": args.courses,
            "chairs": args.chairs,
            "weeks": args.weeks,
            "seed": args.seed,
            "horizon_weeks": 8,
            "time_limit": args.time_limit,
        },
        {"as_planned": naive, "fcfs": fcfs, "optimiser": best},
        ratios,
        smoke=args.smoke,
    )


if __name__ == "__main__":
    main()
