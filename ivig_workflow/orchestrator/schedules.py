"""config/schedules.yaml: how often the clock fires each flow."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow import settings
from ivig_workflow.loading.config_file import load_yaml_as


class _Job(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    misfire_grace_seconds: int = Field(default=300, ge=1)


class Every(_Job):
    every_seconds: float | None = Field(default=None, gt=0)
    every_minutes: float | None = Field(default=None, gt=0)

    @property
    def seconds(self) -> float:
        if self.every_seconds is not None:
            return self.every_seconds
        return (self.every_minutes or 5) * 60


class Daily(_Job):
    at: time = time(6, 30)


class Schedules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sweep: Every = Every(every_minutes=5, misfire_grace_seconds=3600)
    dispatch: Every = Every(every_seconds=15)
    relay: Every = Every(every_seconds=15)
    worklist: Daily = Daily(misfire_grace_seconds=21600)
    # Re-plan centres a change marked (each at most once per `replan_min_minutes`).
    chairs: Every = Every(every_seconds=60, misfire_grace_seconds=300)


def schedules_file() -> Path:
    return settings.schedules_file()


def load_schedules(path: Path | None = None) -> Schedules:
    path = path or schedules_file()
    return load_yaml_as(Schedules, path)
