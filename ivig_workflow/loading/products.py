"""Load the formulary from `config/products.yaml`.

A broken file fails with one line naming the file, the product and the field, so the
pharmacist who edited it knows where to look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ivig_workflow import settings
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.products import Formulary, Product

FILE = "products.yaml"

M = TypeVar("M", bound=BaseModel)


class _ProductsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    products: tuple[dict[str, Any], ...] = Field(min_length=1)


def load_products(config_dir: Path | None = None) -> Formulary:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    raw = read_yaml(path)
    listing = validate_as(_ProductsFile, raw, path, "")
    products: dict[str, Product] = {}
    for index, fields in enumerate(listing.products):
        label = f"products[{index}]" if "slug" not in fields else f"product {fields['slug']!r}"
        product = validate_as(Product, fields, path, f"{label}: ")
        if product.slug in products:
            raise InputError(f"{path}: {label}: slug", "defined twice")
        products[product.slug] = product
    return Formulary(products=products)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}".splitlines()[0]) from None


def validate_as(model: type[M], raw: Any, path: Path, prefix: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "file"
        # One line: pydantic prefixes model-level rules with "Value error, ".
        rule = str(error["msg"]).removeprefix("Value error, ")
        raise InputError(f"{path}: {prefix}{field}", rule) from None
