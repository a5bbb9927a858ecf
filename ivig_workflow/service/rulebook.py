"""The configuration a course runs under, bound into the state machine's rules.

Loads the guideline, the centres, the formulary and the dosing policy once, and
hands the state machine a `CourseRules` per (indication, centre) whose cycle planner
is the real dose planner: each cycle is planned from the latest measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from ivig_workflow.domain.course.deviation_policy import DeviationPolicy
from ivig_workflow.domain.course.model import DoseOptions, Measurements, PlannedCycle
from ivig_workflow.domain.course.policy import CoursePolicy
from ivig_workflow.domain.course.rules import CourseRules, CyclePlanner
from ivig_workflow.domain.dosing.dose_plan import plan_dose
from ivig_workflow.domain.dosing.dose_request import DoseRequest
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.domain.dosing.products import Formulary
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Guideline, Indication
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.loading.centres import Centres, load_centres
from ivig_workflow.loading.course_policy import load_course_policy
from ivig_workflow.loading.deviations import load_deviation_policy
from ivig_workflow.loading.dosing_policy import load_dosing_policy
from ivig_workflow.loading.guideline import load_guideline
from ivig_workflow.loading.products import load_products

PLANS_KEPT = 4096  # per indication: a plan is a few hundred bytes


@dataclass(frozen=True)
class Rulebook:
    guideline: Guideline
    centres: Centres
    formulary: Formulary
    policy: DosingPolicy
    course_policy: CoursePolicy = field(default_factory=CoursePolicy)
    release_lead_days: int = 7
    overdue_grace_days: int = 2
    deviations: DeviationPolicy = field(default_factory=DeviationPolicy)
    _rules: dict[tuple[str, str], CourseRules] = field(default_factory=dict, compare=False)

    def rules_for(self, indication: str, centre: str, guideline_version: str) -> CourseRules:
        # A course is pinned to the guideline version it started under; running it
        # under other rules would change its plan silently.
        if guideline_version != self.guideline.version:
            raise InputError(
                "guideline_version",
                f"course is pinned to {guideline_version!r}, this installation loads "
                f"{self.guideline.version!r}",
            )
        key = (indication, centre)
        if key not in self._rules:
            place = self.centres.centre(centre)
            chosen = self.guideline.indication(indication)
            self._rules[key] = CourseRules(
                indication=chosen,
                calendar=HolidayCalendar(place),
                time_zone=place.zone,
                plan_cycle=self.planner(chosen),
                release_lead_days=self.release_lead_days,
                overdue_grace_days=self.overdue_grace_days,
                renal_confirm_below_egfr=self.policy.renal_function.confirm_below_egfr,
                policy=self.course_policy,
                deviations=self.deviations,
                first_infusion_observation_minutes=(
                    self.policy.observation.first_infusion_or_switch_minutes
                ),
            )
        return self._rules[key]

    def planner(self, indication: Indication) -> CyclePlanner:
        # Memoised by its inputs: the next cycle is planned at every completed cycle and
        # again whenever measurements change, nearly always from a request planned
        # before (same weight, same options), and planning costs ~100 µs. The request
        # and the product are all that varies under one rulebook and indication; the
        # plan is frozen data (its vial dicts are never changed), safely shared.
        @lru_cache(maxsize=PLANS_KEPT)
        def planned(request: DoseRequest, product: str) -> PlannedCycle:
            plan = plan_dose(
                request,
                indication=indication,
                guideline_version=self.guideline.version,
                product=self.formulary.product(product),
                policy=self.policy,
            )
            return PlannedCycle(
                days=len(plan.days),
                day_doses_g=tuple(day.dose_g for day in plan.days),
                total_g=plan.rounded_total_dose_g,
                product=plan.product,
                day_vials=tuple(
                    {float(size): count for size, count in day.vials.items()} for day in plan.days
                ),
                chair_minutes=tuple(day.chair_minutes for day in plan.days),
                prescribed_g=plan.total_dose_g,
                delivered_fraction=plan.delivered_fraction,
                renal_risk_factors=plan.renal_risk_factors,
            )

        def plan_cycle(
            measurements: Measurements, dose_options: DoseOptions, cycle_number: int
        ) -> PlannedCycle:
            request = dose_request(measurements, dose_options, first_infusion=cycle_number == 1)
            return planned(request, dose_options.product or self.policy.default_product.slug)

        return plan_cycle


def dose_request(
    measurements: Measurements, options: DoseOptions, *, first_infusion: bool
) -> DoseRequest:
    return DoseRequest(
        weight_kg=measurements.weight_kg,
        height_cm=measurements.height_cm,
        sex=options.sex,
        age_years=options.age_years,
        pregnant=options.pregnant,
        days=options.days,
        g_per_kg=options.g_per_kg,
        reduced_dose=options.reduced_dose,
        renal_impairment=options.renal_impairment,
        cardiac_impairment=options.cardiac_impairment,
        thrombotic_risk=options.thrombotic_risk,
        egfr=measurements.egfr,
        diabetes=options.diabetes,
        nephrotoxic_drugs=options.nephrotoxic_drugs,
        override_reason=options.override.reason if options.override else None,
        organ_involvement=frozenset(options.organ_involvement),
        dosing_weight=options.dosing_weight,
        rounding=options.rounding,
        first_infusion=first_infusion,
    )


@cache
def load_rulebook(config_dir: Path | None = None) -> Rulebook:
    return Rulebook(
        guideline=load_guideline(config_dir),
        centres=load_centres(config_dir),
        formulary=load_products(config_dir),
        policy=load_dosing_policy(config_dir),
        course_policy=load_course_policy(config_dir),
        deviations=load_deviation_policy(config_dir),
    )
