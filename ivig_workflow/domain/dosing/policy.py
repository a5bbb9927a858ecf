"""A centre's dosing policy: the choices the guideline leaves to the centre.

Each setting keeps the `source` it was taken from, so that a plan can cite why it
rounded, observed or weighed the way it did.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DosingWeightPolicy = Literal["actual", "adjusted"]
RoundingPolicy = Literal["vial_combination", "nearest_5g", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DosingWeightSetting(_Model):
    policy: DosingWeightPolicy
    source: str = Field(min_length=8)


class RoundingSetting(_Model):
    policy: RoundingPolicy
    # A fraction of the day's prescribed grams, e.g. 0.05 for +-5 %.
    tolerance: float = Field(ge=0, lt=1)
    source: str = Field(min_length=8)


class DefaultProductSetting(_Model):
    slug: str = Field(min_length=1)
    source: str = Field(min_length=8)


class ObservationSetting(_Model):
    first_infusion_or_switch_minutes: int = Field(ge=0)
    otherwise_minutes: int = Field(ge=0)
    source: str = Field(min_length=8)


class HeightRange(_Model):
    min_cm: float = Field(gt=0)
    max_cm: float = Field(gt=0)
    source: str = Field(min_length=8)

    @model_validator(mode="after")
    def _ordered(self) -> HeightRange:
        if self.min_cm >= self.max_cm:
            raise ValueError("min_cm must be below max_cm")
        return self


class WeightLimit(_Model):
    """Weight must lie above 0 and at most `max_kg`."""

    max_kg: float = Field(gt=0)
    source: str = Field(min_length=8)


class RenalFunctionSetting(_Model):
    """eGFR thresholds (mL/min/1.73 m2) and the renal risk factors' age."""

    # Below this the patient has renal impairment: more days and the renal rate cap.
    impaired_below_egfr: float = Field(gt=0)
    # Below this a physician confirms each cycle before it is released.
    confirm_below_egfr: float = Field(gt=0)
    # Older than this is a renal risk factor (clinical reference: age > 65).
    risk_age_over_years: float = Field(gt=0)
    source: str = Field(min_length=8)

    @model_validator(mode="after")
    def _ordered(self) -> RenalFunctionSetting:
        if self.confirm_below_egfr > self.impaired_below_egfr:
            raise ValueError("confirm_below_egfr must not exceed impaired_below_egfr")
        return self


class CourseStartWindow(_Model):
    """How far from today a course may start without being marked a backfill."""

    max_days_past: int = Field(ge=0)
    max_days_future: int = Field(ge=0)
    source: str = Field(min_length=8)


class LiveVaccineSetting(_Model):
    """From which dose per cycle the plan warns to defer live vaccines."""

    from_g_per_kg: float = Field(gt=0)
    source: str = Field(min_length=8)


class DosingPolicy(_Model):
    dosing_weight: DosingWeightSetting
    rounding: RoundingSetting
    default_product: DefaultProductSetting
    observation: ObservationSetting
    height: HeightRange
    weight: WeightLimit
    renal_function: RenalFunctionSetting
    course_start: CourseStartWindow
    live_vaccines: LiveVaccineSetting
