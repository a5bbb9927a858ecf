"""Reading one YAML file of config/ into a model, with errors a person can act on:
the file, the field path and the rule, in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ivig_workflow.domain.errors import InputError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}".splitlines()[0]) from None


def validate_as(model: type[M], raw: Any, path: Path, prefix: str = "") -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = prefix + ".".join(str(part) for part in error["loc"])
        # One line: pydantic prefixes model-level rules with "Value error, ".
        rule = str(error["msg"]).removeprefix("Value error, ")
        raise InputError(f"{path}: {field or 'file'}", rule) from None


def load_yaml_as(model: type[M], path: Path) -> M:
    return validate_as(model, read_yaml(path) or {}, path)
