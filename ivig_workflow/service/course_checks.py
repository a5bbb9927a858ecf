"""The checks a course start passes before it is planned: the start date's window,
the measurements, and a physician's override of the guideline's dose (who and why)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ivig_workflow.domain.course.model import DoseOptions, DoseOverride, Measurements
from ivig_workflow.domain.dosing.overrides import departures
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.domain.errors import InputError

if TYPE_CHECKING:
    from ivig_workflow.service.courses import StartCourse
    from ivig_workflow.service.rulebook import Rulebook


def check_start_window(start: date, today: date, policy: DosingPolicy) -> None:
    """A start far from today is refused unless the course is entered as a backfill."""
    window = policy.course_start
    offset = (start - today).days
    if -offset > window.max_days_past:
        raise InputError(
            "start_date",
            f"{start.isoformat()} is {-offset} days in the past, more than the "
            f"{window.max_days_past} allowed; mark the course a backfill to enter it after "
            "the fact",
        )
    if offset > window.max_days_future:
        raise InputError(
            "start_date",
            f"{start.isoformat()} is {offset} days ahead, more than the "
            f"{window.max_days_future} allowed; mark the course a backfill if it is meant",
        )


def validated_measurements(command: StartCourse, now: datetime) -> Measurements:
    try:
        return Measurements(
            weight_kg=command.weight_kg,
            height_cm=command.height_cm,
            egfr=command.egfr,
            measured_at=now,
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "weight_kg"
        raise InputError(field, str(first["msg"])) from None


def overridden(command: StartCourse, measurements: Measurements, rulebook: Rulebook) -> DoseOptions:
    """The dose options with the physician's override recorded, when one is needed."""
    from ivig_workflow.service.rulebook import dose_request

    options = command.dose_options
    if options.override is not None:
        raise InputError(
            "dose_options.override",
            "is recorded from override_reason and the actor; give override_reason instead",
        )
    if command.override_reason is None:
        return options  # the planner refuses any departure without a reason
    if not command.override_reason.strip():
        raise InputError("override_reason", "must say why, in words")
    indication = rulebook.guideline.indication(command.indication)
    found = departures(dose_request(measurements, options, first_infusion=True), indication)
    if not found:
        raise InputError(
            "override_reason",
            f"nothing to override: the plan follows the guideline's dose for {indication.slug}",
        )
    override = DoseOverride(
        reason=command.override_reason.strip(),
        by=command.actor,
        departures=tuple(f"{d.field}: {d.rule} ({d.citation})" for d in found),
    )
    return options.model_copy(update={"override": override})
