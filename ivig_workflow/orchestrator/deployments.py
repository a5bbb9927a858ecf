"""config/deployments.yaml: the flows as Prefect deployments on a work pool.

`plan` turns the file and the centres into deployment specs (pure, what
`ivig deploy --dry-run` shows); `apply` creates the process work pool if it is
missing and registers every deployment with its schedules and trigger. Flows are
named by module path, so process workers import them from the installed package:
no image, no code storage.
"""

from __future__ import annotations

import importlib
from contextlib import suppress
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow.loading.config_file import load_yaml_as
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.settings import config_dir


class Trigger(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    expect: list[str] = Field(min_length=1)
    parameters: dict[str, Any] = {}


class DeploymentConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    flow: str = Field(pattern=r"^[\w.]+\.\w+$")
    per_centre: bool = False
    every_seconds: float | None = Field(default=None, gt=0)
    every_minutes: float | None = Field(default=None, gt=0)
    daily_at: time | None = None
    tags: list[str] = []
    trigger: Trigger | None = None


class DeploymentsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pool: str = "ivig"
    deployments: dict[str, DeploymentConfig]


class DeploymentSpec(BaseModel):
    """One deployment as it will be registered."""

    name: str
    flow: str
    parameters: dict[str, Any] = {}
    tags: list[str] = []
    interval_seconds: float | None = None
    cron: str | None = None
    timezone: str | None = None
    trigger: Trigger | None = None


def load_deployments(path: Path | None = None) -> DeploymentsFile:
    path = path or config_dir() / "deployments.yaml"
    return load_yaml_as(DeploymentsFile, path)


def plan(config: DeploymentsFile, rulebook: Rulebook) -> list[DeploymentSpec]:
    specs: list[DeploymentSpec] = []
    for name, item in config.deployments.items():
        interval = item.every_seconds or (item.every_minutes * 60 if item.every_minutes else None)
        cron = f"{item.daily_at.minute} {item.daily_at.hour} * * *" if item.daily_at else None
        if not item.per_centre:
            specs.append(
                DeploymentSpec(
                    name=name,
                    flow=item.flow,
                    tags=item.tags,
                    interval_seconds=interval,
                    cron=cron,
                    timezone="UTC" if cron else None,
                    trigger=item.trigger,
                )
            )
            continue
        for slug, centre in rulebook.centres.centres.items():
            specs.append(
                DeploymentSpec(
                    name=f"{name}-{slug}",
                    flow=item.flow,
                    parameters={"centre": slug},
                    tags=[*item.tags, f"centre:{slug}"],
                    interval_seconds=interval,
                    cron=cron,
                    timezone=centre.time_zone if cron else None,
                    trigger=item.trigger,
                )
            )
    return specs


def apply(specs: list[DeploymentSpec], pool: str) -> list[str]:
    """Create the work pool when missing, then each deployment; returns `flow/deployment` names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            # Already there means another `ivig deploy` made it meanwhile.
            with suppress(ObjectAlreadyExists):
                client.create_work_pool(
                    WorkPoolCreate(
                        name=pool,
                        type="process",
                        base_job_template=ProcessWorker.get_default_base_job_template(),
                    )
                )
    names = []
    for spec in specs:
        deployment = _runner_deployment(spec)
        deployment.apply(work_pool_name=pool)
        names.append(f"{deployment.flow_name}/{spec.name}")
    return names


def _runner_deployment(spec: DeploymentSpec) -> Any:
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
    from prefect.schedules import Cron, Interval
    from prefect.types.entrypoint import EntrypointType

    module, attribute = spec.flow.rsplit(".", 1)
    flow = getattr(importlib.import_module(module), attribute)
    schedules = []
    if spec.interval_seconds is not None:
        schedules.append(Interval(spec.interval_seconds))
    if spec.cron is not None:
        schedules.append(Cron(spec.cron, timezone=spec.timezone))
    triggers = []
    if spec.trigger is not None:
        triggers.append(
            DeploymentEventTrigger(
                name=f"{spec.name}-on-event",
                expect=set(spec.trigger.expect),
                parameters=spec.trigger.parameters,
            )
        )
    return flow.to_deployment(
        name=spec.name,
        parameters=spec.parameters,
        tags=spec.tags,
        schedules=schedules,
        triggers=triggers,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
