"""Load the formulary from `config/products.yaml`.

A broken file fails with one line naming the file, the product and the field, so the
pharmacist who edited it knows where to look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ivig_workflow import settings
from ivig_workflow.domain.dosing.products import Formulary, Product
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.config_file import read_yaml, validate_as

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
