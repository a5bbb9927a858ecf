"""Chair time from the rate ramp, with caps, worked out by hand.

Octagam 10% ramp (clinical reference): 0.01 -> 0.02 -> 0.04 mL/kg/min for 30 min each,
then 0.08 until the volume is given. For 60 kg that is 0.6, 1.2, 2.4 and 4.8 mL/min.
60 g of a 10 % product is 600 mL:
- no cap: 18 + 36 + 72 = 126 mL in 90 min; 474 mL at 4.8 mL/min = 98.75 min;
  189 min in all (rounded up); chair 189 + 60 min observation = 249 min on day 1.
- dermatomyositis cap 0.04: 474 mL at 2.4 mL/min = 197.5 min; 288 min in all.
- renal cap 0.03: the third step runs at 1.8 mL/min too; 546 mL after the first hour
  at 1.8 mL/min = 303.3 min; 364 min in all.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_workflow.domain.dosing.infusion_rate import (
    chair_minutes,
    infusion_minutes,
    rate_cap_ml_per_kg_min,
)
from tests.unit.dose_factories import make_product

PRODUCT = make_product()


@pytest.mark.parametrize(
    ("volume_ml", "weight_kg", "cap", "minutes"),
    [
        (600, 60, None, 189),
        (600, 60, 0.04, 288),
        (600, 60, 0.03, 364),
        (10, 60, None, 17),  # 10 mL at 0.6 mL/min ends inside the first step
        (18, 60, None, 30),  # exactly the first step
        (1200, 60, None, 314),  # 1074 mL after 90 min at 4.8 mL/min = 223.75 min
    ],
)
def test_worked_examples(
    volume_ml: float, weight_kg: float, cap: float | None, minutes: int
) -> None:
    assert (
        infusion_minutes(volume_ml, weight_kg=weight_kg, ramp=PRODUCT.ramp, cap_ml_per_kg_min=cap)
        == minutes
    )


def test_chair_time_adds_the_observation() -> None:
    assert chair_minutes(189, 60) == 249


@pytest.mark.parametrize(
    ("myositis", "at_risk", "cap"),
    [(False, False, None), (True, False, 0.04), (False, True, 0.03), (True, True, 0.03)],
)
def test_the_lowest_applicable_cap_wins(myositis: bool, at_risk: bool, cap: float | None) -> None:
    assert rate_cap_ml_per_kg_min(PRODUCT, myositis=myositis, renal_or_thrombotic_risk=at_risk) == (
        cap,
        [],
    )


def test_a_product_without_the_needed_cap_draws_a_warning() -> None:
    product = make_product(renal_cap=None)
    cap, warnings = rate_cap_ml_per_kg_min(product, myositis=True, renal_or_thrombotic_risk=True)
    assert cap == 0.04
    assert len(warnings) == 1
    assert "renal or thrombotic risk" in warnings[0]


@given(
    volume_ml=st.floats(1, 3000),
    more_ml=st.floats(0, 1000),
    weight_kg=st.floats(3, 350),
    cap=st.sampled_from([None, 0.04, 0.03, 0.005]),
)
def test_more_volume_or_a_cap_never_shortens_the_infusion(
    volume_ml: float, more_ml: float, weight_kg: float, cap: float | None
) -> None:
    def minutes(volume: float, with_cap: float | None) -> int:
        return infusion_minutes(
            volume, weight_kg=weight_kg, ramp=PRODUCT.ramp, cap_ml_per_kg_min=with_cap
        )

    assert minutes(volume_ml + more_ml, cap) >= minutes(volume_ml, cap)
    assert minutes(volume_ml, cap) >= minutes(volume_ml, None)
