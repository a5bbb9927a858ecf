"""Rounding a day's grams to the vials of a product.

Rounding is per infusion day: an opened vial is not kept for the next day. Mixes are
searched exactly, by dynamic programming over half-gram units: within the tolerance the
total nearest the prescription wins, and on a tie the fewer vials.
"""

from __future__ import annotations

import functools
import math

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.dosing.policy import RoundingPolicy
from ivig_workflow.domain.dosing.products import VIAL_UNIT_G
from ivig_workflow.domain.errors import InputError

_EPSILON = 1e-9
_UNREACHABLE = math.inf


class VialMix(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dose_g: float  # what is given that day
    vials: dict[float, int]  # vial size in g -> count
    waste_g: float  # vial content opened but not given
    # False when no mix fitted the tolerance and the prescribed grams were covered instead.
    fitted: bool = True

    @property
    def vial_total_g(self) -> float:
        return sum(size * count for size, count in self.vials.items())

    @property
    def vial_count(self) -> int:
        return sum(self.vials.values())


# A centre's patients share few distinct day doses (weights repeat, and a course keeps
# its dose from cycle to cycle); the search is exact but costs a table per call.
@functools.lru_cache(maxsize=4096)
def round_day_dose(
    prescribed_g: float, vial_sizes_g: tuple[float, ...], policy: RoundingPolicy, tolerance: float
) -> VialMix:
    if prescribed_g <= 0:
        raise InputError("dose_g", "a day's dose must be above 0 g")
    if policy == "vial_combination":
        return _nearest_combination(prescribed_g, vial_sizes_g, tolerance)
    if policy == "nearest_5g":
        return _cover(max(5.0, 5.0 * math.floor(prescribed_g / 5.0 + 0.5)), vial_sizes_g)
    return _cover(round(prescribed_g, 2), vial_sizes_g)


def _nearest_combination(
    prescribed_g: float, vial_sizes_g: tuple[float, ...], tolerance: float
) -> VialMix:
    low = max(1, math.ceil(prescribed_g * (1 - tolerance) / VIAL_UNIT_G - _EPSILON))
    high = math.floor(prescribed_g * (1 + tolerance) / VIAL_UNIT_G + _EPSILON)
    counts, last = _fewest_vials(_units(vial_sizes_g), high)
    fitting = [total for total in range(low, high + 1) if counts[total] != _UNREACHABLE]
    if not fitting:
        return _cover(prescribed_g, vial_sizes_g, fitted=False)
    # The total nearest the prescription; on a tie the fewer vials, then the one above it.
    # Nearest first keeps the error unbiased: preferring fewer vials systematically gave
    # less than prescribed (as little as 95 %), since big vials undershoot more often.
    best = min(
        fitting,
        key=lambda total: (
            round(abs(total * VIAL_UNIT_G - prescribed_g), 6),
            counts[total],
            -total,
        ),
    )
    return VialMix(dose_g=best * VIAL_UNIT_G, vials=_mix(best, last), waste_g=0.0)


def _cover(dose_g: float, vial_sizes_g: tuple[float, ...], *, fitted: bool = True) -> VialMix:
    """The least waste, then the fewest vials, that holds at least `dose_g`."""
    sizes = _units(vial_sizes_g)
    needed = math.ceil(dose_g / VIAL_UNIT_G - _EPSILON)
    counts, last = _fewest_vials(sizes, needed + max(sizes))
    total = next(t for t in range(needed, len(counts)) if counts[t] != _UNREACHABLE)
    waste = max(0.0, round(total * VIAL_UNIT_G - dose_g, 2))
    return VialMix(dose_g=round(dose_g, 2), vials=_mix(total, last), waste_g=waste, fitted=fitted)


def _units(vial_sizes_g: tuple[float, ...]) -> list[int]:
    return sorted({round(size / VIAL_UNIT_G) for size in vial_sizes_g}, reverse=True)


def _fewest_vials(sizes: list[int], limit: int) -> tuple[list[float], list[int]]:
    """For every total up to `limit` units: the fewest vials summing to it exactly."""
    counts: list[float] = [0.0] + [_UNREACHABLE] * limit
    last = [0] * (limit + 1)
    for total in range(1, limit + 1):
        for size in sizes:  # largest first, so ties keep the larger vials
            if size <= total and counts[total - size] + 1 < counts[total]:
                counts[total] = counts[total - size] + 1
                last[total] = size
    return counts, last


def _mix(total: int, last: list[int]) -> dict[float, int]:
    mix: dict[float, int] = {}
    while total > 0:
        size_g = last[total] * VIAL_UNIT_G
        mix[size_g] = mix.get(size_g, 0) + 1
        total -= last[total]
    return dict(sorted(mix.items(), reverse=True))
