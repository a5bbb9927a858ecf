"""Days per cycle and whether the infusion rate must be lowered.

The guideline spreads a cycle over the indication's default days and over more days
with renal or cardiac impairment or organ involvement; some of those conditions also
call for a lower rate.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import DayLengthening, Indication, LengtheningCondition


class CycleDays(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int
    lower_rate: bool
    # The lengthening and rate rules that matched, for the plan's sources.
    rules: tuple[DayLengthening, ...]
    warnings: tuple[str, ...] = ()


def cycle_days(
    indication: Indication,
    conditions: frozenset[LengtheningCondition],
    requested_days: int | None,
) -> CycleDays:
    spec = indication.days
    lengthenings = [rule for rule in spec.lengthened_by if rule.condition in conditions]
    slower = [rule for rule in indication.lower_rate_when if rule.condition in conditions]
    guideline_days = max([spec.default, *(rule.days for rule in lengthenings)])
    warnings: list[str] = []
    if requested_days is None:
        days = guideline_days
    elif not spec.min <= requested_days <= spec.max:
        raise InputError(
            "days", f"must lie within {spec.min}..{spec.max} days for {indication.slug}"
        )
    else:
        days = requested_days
        if days < guideline_days:
            warnings.append(
                f"{days} days chosen where the guideline spreads the cycle over "
                f"{guideline_days} days for {', '.join(sorted(conditions))}"
            )
    return CycleDays(
        days=days,
        lower_rate=any(rule.lower_rate for rule in lengthenings) or bool(slower),
        rules=(*lengthenings, *slower),
        warnings=tuple(warnings),
    )
