"""How far a ward fact may depart from the plan before it is raised, and when it
is implausible enough to be refused: values a centre may change, each with its source
(`config/deviations.yaml`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_POLICY = "ivig-workflow policy (issue 11)"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DoseDeviation(_Model):
    # A fraction of the day's planned grams, e.g. 0.10 for +-10 %.
    tolerance: float = Field(default=0.10, gt=0, lt=1)
    # Over this many times the day's plan the dose is a typo, not a deviation.
    implausible_factor: float = Field(default=2.0, gt=1)
    source: str = Field(default=_POLICY, min_length=8)


class CycleStartDeviation(_Model):
    """Day 1 may fall this many days before or after the planned date unremarked."""

    early_days: int = Field(default=3, ge=0)
    late_days: int = Field(default=7, ge=0)
    source: str = Field(default=_POLICY, min_length=8)


class LongGap(_Model):
    """No IVIg for longer than this: the next infusion is observed as a first one."""

    weeks: int = Field(default=12, ge=1)
    source: str = Field(default=_POLICY, min_length=8)


class ClockSkew(_Model):
    """How far a ward system's clock may run ahead of ours."""

    minutes: int = Field(default=15, ge=0)
    source: str = Field(default=_POLICY, min_length=8)


class DeviationPolicy(_Model):
    dose: DoseDeviation = DoseDeviation()
    cycle_start: CycleStartDeviation = CycleStartDeviation()
    long_gap: LongGap = LongGap()
    clock_skew: ClockSkew = ClockSkew()
