"""Readable flow run names: `sweep-main-2026-03-02T06:30Z`, from the run's parameters."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from prefect.runtime import flow_run

from flows.resources import instant, stamp


def run_name(kind: str) -> Callable[[], str]:
    def name() -> str:
        parameters = flow_run.parameters
        centre = parameters.get("centre") or "all"
        at = parameters.get("at")
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at is None:
            at = flow_run.scheduled_start_time
        return f"{kind}-{centre}-{stamp(instant(at))}"

    return name


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys take lowercase letters, digits and dashes only."""
    text = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9-]+", "-", text).strip("-")
