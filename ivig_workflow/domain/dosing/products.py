"""IVIg products as a centre's formulary keeps them: vials, concentration, rate ramp.

Rates are in mL per kg per minute of the product itself, so a 5 % and a 10 % product
with the same number deliver different grams per minute; every value is data that a
centre's pharmacist reviews and may change.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivig_workflow.domain.errors import UnknownProduct

# Vial mixes are searched in half-gram units; every vial size sold is a multiple of it.
VIAL_UNIT_G = 0.5


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateStep(_Model):
    """One step of the ramp; the last step has no duration and runs to the end."""

    rate_ml_per_kg_min: float = Field(gt=0)
    minutes: int | None = Field(default=None, ge=1)


class RateCaps(_Model):
    """Ceilings that replace every faster step of the ramp when they apply."""

    dermatomyositis_ml_per_kg_min: float | None = Field(default=None, gt=0)
    renal_or_thrombotic_risk_ml_per_kg_min: float | None = Field(default=None, gt=0)


class Product(_Model):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    concentration_g_per_l: float = Field(gt=0)
    vial_sizes_g: tuple[float, ...] = Field(min_length=1)
    contains_sucrose: bool
    ramp: tuple[RateStep, ...] = Field(min_length=1)
    max_rate_ml_per_kg_min: float = Field(gt=0)
    caps: RateCaps = RateCaps()
    source: str = Field(min_length=8)

    @model_validator(mode="after")
    def _consistent(self) -> Product:
        for size in self.vial_sizes_g:
            if size <= 0 or abs(size / VIAL_UNIT_G - round(size / VIAL_UNIT_G)) > 1e-9:
                raise ValueError(f"vial size {size} g is not a positive multiple of 0.5 g")
        if len(set(self.vial_sizes_g)) != len(self.vial_sizes_g):
            raise ValueError("vial sizes must not repeat")
        *timed, last = self.ramp
        if any(step.minutes is None for step in timed):
            raise ValueError("every ramp step but the last needs minutes")
        if last.minutes is not None:
            raise ValueError("the last ramp step is open-ended: leave its minutes out")
        if any(step.rate_ml_per_kg_min > self.max_rate_ml_per_kg_min for step in self.ramp):
            raise ValueError("a ramp step exceeds max_rate_ml_per_kg_min")
        return self

    def volume_ml(self, grams: float) -> float:
        return grams / self.concentration_g_per_l * 1000


class Formulary(_Model):
    """The products a centre stocks, by slug."""

    products: dict[str, Product] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_are_slugs(self) -> Formulary:
        for key, product in self.products.items():
            if key != product.slug:
                raise ValueError(f"product listed as {key!r} has slug {product.slug!r}")
        return self

    def product(self, slug: str) -> Product:
        try:
            return self.products[slug]
        except KeyError:
            raise UnknownProduct(slug) from None
