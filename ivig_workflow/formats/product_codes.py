"""The table that maps the product names and codes of ward systems to our product slugs."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ivig_workflow import settings
from ivig_workflow.domain.errors import InputError

PRODUCT_SYSTEM = "urn:ivig-workflow:product"


class Coding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str = Field(min_length=1)
    code: str = Field(min_length=1)


class ProductNaming(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    names: tuple[str, ...] = ()
    codings: tuple[Coding, ...] = ()


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


class ProductCodes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    products: dict[str, ProductNaming] = Field(min_length=1)

    def product_for(
        self, codings: Iterable[tuple[str | None, str | None]], texts: Iterable[str], field: str
    ) -> str:
        """The slug the codings name (a clash refuses), else the one a text names."""
        by_coding = {
            (coding.system, coding.code): slug
            for slug, naming in self.products.items()
            for coding in naming.codings
        }
        coded: list[str] = []
        for system, code in codings:
            slug = by_coding.get((system or "", code or ""))
            if slug is None and system == PRODUCT_SYSTEM and code in self.products:
                slug = code
            if slug is not None and slug not in coded:
                coded.append(slug)
        if len(coded) > 1:
            raise InputError(field, f"codings name different products: {', '.join(coded)}")
        if coded:
            return coded[0]
        by_name = {_folded(slug): slug for slug in self.products}
        for slug, naming in self.products.items():
            by_name.update({_folded(name): slug for name in naming.names})
        given = [text for text in texts if text]
        for text in given:
            if _folded(text) in by_name:
                return by_name[_folded(text)]
        shown = ", ".join(repr(text) for text in given) or "no coding or text"
        raise InputError(field, f"unknown product ({shown}); see config/product-codes.yaml")


def load_product_codes(path: Path) -> ProductCodes:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ProductCodes.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise InputError(str(path), f"unreadable product code table: {error}") from None


@lru_cache(maxsize=4)
def _cached(path: Path) -> ProductCodes:
    return load_product_codes(path)


def default_product_codes() -> ProductCodes:
    return _cached(settings.config_dir() / "product-codes.yaml")
