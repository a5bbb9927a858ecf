"""Load the infusion centres from `config/centres.yaml`.

A broken file fails with one line naming the file, the centre and the field. Each
centre's `capacity` block (hours, nurses, turnover) and the file's `scheduling`
block are read beside the centre, into `ivig_workflow.domain.capacity`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow import settings
from ivig_workflow.domain.capacity import ChairCapacity, SchedulingPolicy
from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.config_file import read_yaml, validate_as

FILE = "centres.yaml"

M = TypeVar("M", bound=BaseModel)


class _CentresFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str
    centres: dict[str, dict[str, Any]] = Field(min_length=1)
    scheduling: dict[str, Any] = Field(default_factory=dict)


class Centres(BaseModel):
    model_config = ConfigDict(frozen=True)

    default: str
    centres: dict[str, Centre]
    capacities: dict[str, ChairCapacity] = Field(default_factory=dict)
    scheduling: SchedulingPolicy = SchedulingPolicy()

    def capacity(self, slug: str | None = None) -> ChairCapacity:
        """The centre's hours, nurses and turnover (defaults when the file gives none)."""
        place = self.centre(slug)
        return self.capacities.get(place.slug) or ChairCapacity()

    def centre(self, slug: str | None = None) -> Centre:
        chosen = self.default if slug is None else slug
        try:
            return self.centres[chosen]
        except KeyError:
            raise InputError("centre", f"unknown centre {chosen!r}") from None


def load_centres(config_dir: Path | None = None) -> Centres:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    top = validate_as(_CentresFile, read_yaml(path), path)
    centres: dict[str, Centre] = {}
    capacities: dict[str, ChairCapacity] = {}
    for slug, fields in top.centres.items():
        rest = {key: value for key, value in fields.items() if key != "capacity"}
        place = validate_as(Centre, {"slug": slug, **rest}, path, f"centres.{slug}.")
        prefix = f"centres.{slug}.capacity."
        capacity = validate_as(ChairCapacity, fields.get("capacity") or {}, path, prefix)
        _hours_for_open_days(place, capacity, path, prefix)
        centres[slug], capacities[slug] = place, capacity
    if top.default not in centres:
        raise InputError(f"{path}: default", f"names no centre in the file: {top.default!r}")
    scheduling = validate_as(SchedulingPolicy, top.scheduling, path, "scheduling.")
    return Centres(
        default=top.default, centres=centres, capacities=capacities, scheduling=scheduling
    )


def _hours_for_open_days(place: Centre, capacity: ChairCapacity, path: Path, prefix: str) -> None:
    """Every open weekday needs its hours, and hours on a closed weekday are a typo."""
    for day in place.open_weekdays:
        if day not in capacity.opening_hours:
            raise InputError(
                f"{path}: {prefix}opening_hours.{day}",
                f"the centre is open on {day} (open_weekdays) but has no opening hours for it",
            )
    for day in capacity.opening_hours:
        if day not in place.open_weekdays:
            raise InputError(
                f"{path}: {prefix}opening_hours.{day}",
                f"the centre is not open on {day} (open_weekdays)",
            )
