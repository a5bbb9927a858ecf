"""The tables `ivig dose` shows people: the summary, the days, warnings and sources."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ivig_workflow.domain.dosing.dose_plan import DosePlan


def show_plan(plan: DosePlan) -> None:
    console = Console()
    summary = Table("", "", title=f"{plan.indication} (guideline {plan.guideline_version})")
    rows: list[tuple[str, Any]] = [
        ("dose", f"{plan.dose_g_per_kg:g} g/kg" + (" (reduced)" if plan.reduced_dose else "")),
        ("dosing weight", f"{plan.dosing_weight_kg:g} kg ({plan.dosing_weight_policy})"),
        ("actual weight", f"{plan.actual_weight_kg:g} kg"),
        ("height", "-" if plan.height_cm is None else f"{plan.height_cm:g} cm"),
        (
            "ideal / adjusted weight",
            f"{_kg(plan.ideal_body_weight_kg)} / {_kg(plan.adjusted_body_weight_kg)}",
        ),
        ("total prescribed", f"{plan.total_dose_g:g} g"),
        (
            "total given",
            f"{plan.rounded_total_dose_g:g} g ({plan.rounding_policy}), "
            f"{plan.delivered_fraction:.1%} of prescribed, waste {plan.total_waste_g:g} g",
        ),
        ("product", plan.product),
        ("rate cap", _rate(plan.rate_cap_ml_per_kg_min)),
        ("days", f"{len(plan.days)} (range {plan.days_range.min}-{plan.days_range.max})"),
        ("interval", f"{plan.interval_weeks} weeks, at most {plan.max_interval_weeks}"),
        (
            "review / washout",
            f"cycle {plan.review_at_cycle or '-'} / cycle {plan.washout_after_cycle or '-'}",
        ),
        ("cycles planned", plan.cycles_planned or "open-ended"),
    ]
    rows += [
        (a.drug, f"{a.daily_dose_mg:g} mg/day ({a.dose_mg_per_kg_per_day:g} mg/kg/day)")
        for a in plan.adjuncts
    ]
    for label, value in rows:
        summary.add_row(label, str(value))
    console.print(summary)
    days = Table(
        "day",
        "asked",
        "given",
        "vials",
        "waste",
        "mL",
        "infusion",
        "watch",
        "chair",
        title="days (grams, mL, minutes)",
    )
    for day in plan.days:
        mix = " ".join(f"{count}x{size}" for size, count in day.vials.items())
        days.add_row(
            *map(
                str,
                (
                    day.day,
                    day.prescribed_g,
                    day.dose_g,
                    mix,
                    day.waste_g,
                    day.volume_ml,
                    day.infusion_minutes,
                    day.observation_minutes,
                    day.chair_minutes,
                ),
            )
        )
    console.print(days)
    for title, lines in (("warnings", plan.warnings), ("sources", plan.sources)):
        table = Table(title, show_lines=True)
        for line in lines:
            table.add_row(line)
        console.print(table)


def _kg(value: float | None) -> str:
    return "-" if value is None else f"{value:g} kg"


def _rate(value: float | None) -> str:
    return "none" if value is None else f"{value:g} mL/kg/min"
