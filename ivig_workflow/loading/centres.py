"""Load the infusion centres from `config/centres.yaml`.

A broken file fails with one line naming the file, the centre and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow import settings
from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.config_file import read_yaml, validate_as

FILE = "centres.yaml"

M = TypeVar("M", bound=BaseModel)


class _CentresFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str
    centres: dict[str, dict[str, Any]] = Field(min_length=1)


class Centres(BaseModel):
    model_config = ConfigDict(frozen=True)

    default: str
    centres: dict[str, Centre]

    def centre(self, slug: str | None = None) -> Centre:
        chosen = self.default if slug is None else slug
        try:
            return self.centres[chosen]
        except KeyError:
            raise InputError("centre", f"unknown centre {chosen!r}") from None


def load_centres(config_dir: Path | None = None) -> Centres:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    top = validate_as(_CentresFile, read_yaml(path), path)
    centres = {
        slug: validate_as(Centre, {"slug": slug, **fields}, path, f"centres.{slug}.")
        for slug, fields in top.centres.items()
    }
    if top.default not in centres:
        raise InputError(f"{path}: default", f"names no centre in the file: {top.default!r}")
    return Centres(default=top.default, centres=centres)
