"""Load the centre's dosing policy from `config/dosing.yaml`.

Errors name the file and the field, one line, like the formulary loader's.
"""

from __future__ import annotations

from pathlib import Path

from ivig_workflow import settings
from ivig_workflow.domain.dosing.policy import DosingPolicy
from ivig_workflow.loading.config_file import read_yaml, validate_as

FILE = "dosing.yaml"


def load_dosing_policy(config_dir: Path | None = None) -> DosingPolicy:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    return validate_as(DosingPolicy, read_yaml(path), path, "")
