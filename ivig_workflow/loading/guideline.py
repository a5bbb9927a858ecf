"""Load the guideline from `config/guideline/` into validated domain models.

A broken file must fail at load with one line a pharmacist can act on: the file,
the indication and the field. So every YAML or validation error is translated
here into a `GuidelineFileError` instead of surfacing pydantic's multi-line dump.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from ivig_workflow import settings
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Guideline, GuidelineGroup, Indication

MANIFEST = "guideline.yaml"

M = TypeVar("M", bound=BaseModel)


class GuidelineFileError(InputError):
    """A guideline file that cannot be read or breaks the schema."""

    def __init__(
        self, file: str, rule: str, indication: str | None = None, field: str = ""
    ) -> None:
        where = file if indication is None else f"{file}: indication {indication!r}"
        super().__init__(f"{where}: {field}" if field else where, rule)
        self.file = file
        self.indication = indication
        self.field_path = field


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    title: str
    groups: tuple[str, ...] = Field(min_length=1)


def load_guideline(config_dir: Path | None = None) -> Guideline:
    """The guideline under `config_dir` (default: the configured config folder)."""
    root = settings.config_dir() if config_dir is None else config_dir
    return _load(root.resolve())


def clear_cache() -> None:
    """Forget loaded guidelines, for a process that edits the files it reads."""
    _load.cache_clear()


@functools.lru_cache(maxsize=8)
def _load(config_dir: Path) -> Guideline:
    folder = config_dir / "guideline"
    manifest = _validate(
        _Manifest, _read(folder / MANIFEST, config_dir), folder / MANIFEST, config_dir
    )
    indications: dict[str, Indication] = {}
    for name in manifest.groups:
        path = folder / name
        shown = _shown(path, config_dir)
        if not path.is_file():
            raise GuidelineFileError(
                _shown(folder / MANIFEST, config_dir),
                "listed group file does not exist",
                field=f"groups: {name}",
            )
        group = _validate(GuidelineGroup, _read(path, config_dir), path, config_dir)
        for indication in group.indications:
            if indication.group != group.group:
                raise GuidelineFileError(
                    shown,
                    f"group {indication.group!r} differs from the file's group {group.group!r}",
                    indication.slug,
                    "group",
                )
            if indication.slug in indications:
                raise GuidelineFileError(shown, "slug defined twice", indication.slug, "slug")
            indications[indication.slug] = indication
    return Guideline(version=manifest.version, title=manifest.title, indications=indications)


def _shown(path: Path, config_dir: Path) -> str:
    # Relative to the config folder's parent, so messages read "config/guideline/x.yaml".
    try:
        return path.relative_to(config_dir.parent).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path, config_dir: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GuidelineFileError(
            _shown(path, config_dir), f"cannot read: {error.strerror}"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise GuidelineFileError(
            _shown(path, config_dir), f"invalid YAML: {where}{problem}"
        ) from None


def _validate(model: type[M], data: Any, path: Path, config_dir: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = _root_causes(error)
        more = len(errors) - 1
        rule = errors[0]["msg"] + (
            f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        )
        slug, field = _locate(errors[0]["loc"], data)
        raise GuidelineFileError(_shown(path, config_dir), rule, slug, field) from None


def _root_causes(error: ValidationError) -> list[ErrorDetails]:
    # A broken indication also empties the group's tuple ("at least 1 item"): an
    # error that encloses another is a consequence, not a second mistake.
    errors = error.errors()
    return [
        e
        for e in errors
        if not any(
            len(o["loc"]) > len(e["loc"]) and o["loc"][: len(e["loc"])] == e["loc"] for o in errors
        )
    ]


def _locate(loc: tuple[int | str, ...], data: Any) -> tuple[str | None, str]:
    """The indication slug (if the error lies in one) and the dotted field path."""
    slug: str | None = None
    rest = loc
    if len(loc) >= 2 and loc[0] == "indications" and isinstance(loc[1], int):
        slug = _slug_at(data, loc[1])
        rest = loc[2:]
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return slug, field or "(the whole entry)"


def _slug_at(data: Any, index: int) -> str:
    try:
        slug = data["indications"][index]["slug"]
    except (KeyError, IndexError, TypeError):
        slug = None
    return slug if isinstance(slug, str) else f"#{index + 1}"
