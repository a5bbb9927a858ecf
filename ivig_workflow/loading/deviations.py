"""Load the deviation tolerances from `config/deviations.yaml`.

Errors name the file and the field, one line, like the other config loaders'.
"""

from __future__ import annotations

from pathlib import Path

from ivig_workflow import settings
from ivig_workflow.domain.course.deviation_policy import DeviationPolicy
from ivig_workflow.loading.config_file import read_yaml, validate_as

FILE = "deviations.yaml"


def load_deviation_policy(config_dir: Path | None = None) -> DeviationPolicy:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    return validate_as(DeviationPolicy, read_yaml(path), path, "")
