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


class DosingPolicy(_Model):
    dosing_weight: DosingWeightSetting
    rounding: RoundingSetting
    default_product: DefaultProductSetting
    observation: ObservationSetting
    height: HeightRange
    weight: WeightLimit
