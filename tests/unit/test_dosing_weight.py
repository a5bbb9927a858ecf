"""Dosing weight: Devine ideal body weight, adjusted body weight and its exceptions.

Worked examples, by hand (inches = cm / 2.54, weights recorded to 0.1 kg, the adjusted
weight computed from the recorded IBW):
- female 165 cm (64.96 in), 100 kg: IBW 45.5 + 2.3 x 4.96 = 56.9 kg;
  adjusted 56.9 + 0.4 x 43.1 = 74.1 kg. (Rounding the height to 65 in first would
  give the 57.0 / 74.2 kg sometimes quoted.)
- male 180 cm (70.87 in), 120 kg: IBW 50 + 2.3 x 10.87 = 75.0 kg;
  adjusted 75.0 + 0.4 x 45.0 = 93.0 kg.
- male 170 cm (66.93 in), 90 kg: IBW 50 + 2.3 x 6.93 = 65.9 kg; adjusted 75.5 kg.
- female 152.4 cm (60 in), 80 kg: IBW 45.5 kg; adjusted 45.5 + 0.4 x 34.5 = 59.3 kg.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_workflow.domain.dosing.dosing_weight import (
    Sex,
    adjusted_body_weight_kg,
    choose_dosing_weight,
    ideal_body_weight_kg,
)
from ivig_workflow.domain.errors import InputError


@pytest.mark.parametrize(
    ("sex", "height_cm", "actual_kg", "ideal_kg", "adjusted_kg"),
    [
        ("female", 165, 100, 56.9, 74.1),
        ("male", 180, 120, 75.0, 93.0),
        ("male", 170, 90, 65.9, 75.5),
        ("female", 152.4, 80, 45.5, 59.3),
    ],
)
def test_worked_examples_of_ideal_and_adjusted_weight(
    sex: Sex, height_cm: float, actual_kg: float, ideal_kg: float, adjusted_kg: float
) -> None:
    chosen = choose_dosing_weight(
        "adjusted", actual_kg=actual_kg, height_cm=height_cm, sex=sex, age_years=40, pregnant=False
    )
    assert chosen.ideal_body_weight_kg == ideal_kg
    assert chosen.adjusted_body_weight_kg == adjusted_kg
    assert (chosen.kg, chosen.rule) == (adjusted_kg, "adjusted")


def test_actual_policy_uses_actual_weight_and_still_reports_the_ideal_weight() -> None:
    chosen = choose_dosing_weight(
        "actual", actual_kg=100, height_cm=165, sex="female", age_years=40, pregnant=False
    )
    assert (chosen.kg, chosen.rule, chosen.ideal_body_weight_kg) == (100, "actual", 56.9)


@pytest.mark.parametrize(
    ("height_cm", "sex", "age_years", "pregnant", "actual_kg", "rule"),
    [
        (165, "female", 17, False, 100, "actual: under 18"),
        (None, None, 12, False, 45, "actual: under 18"),  # children need no height
        (150, "female", 40, False, 90, "actual: height under 152 cm"),
        (165, "female", 30, True, 100, "actual: pregnancy (pre-pregnancy weight)"),
        (170, "female", 40, False, 50, "actual: below adjusted"),  # IBW 61.4 kg
    ],
)
def test_exceptions_to_the_adjusted_weight_use_actual_weight(
    height_cm: float | None,
    sex: Sex | None,
    age_years: float,
    pregnant: bool,
    actual_kg: float,
    rule: str,
) -> None:
    chosen = choose_dosing_weight(
        "adjusted",
        actual_kg=actual_kg,
        height_cm=height_cm,
        sex=sex,
        age_years=age_years,
        pregnant=pregnant,
    )
    assert (chosen.kg, chosen.rule) == (actual_kg, rule)


def test_age_18_is_an_adult() -> None:
    chosen = choose_dosing_weight(
        "adjusted", actual_kg=100, height_cm=165, sex="female", age_years=18, pregnant=False
    )
    assert chosen.rule == "adjusted"


@pytest.mark.parametrize(
    ("height_cm", "sex", "field"), [(None, "female", "height_cm"), (170, None, "sex")]
)
def test_adjusted_policy_without_height_or_sex_is_refused(
    height_cm: float | None, sex: Sex | None, field: str
) -> None:
    with pytest.raises(InputError) as refused:
        choose_dosing_weight(
            "adjusted", actual_kg=90, height_cm=height_cm, sex=sex, age_years=50, pregnant=False
        )
    assert refused.value.field == field


@given(
    height_cm=st.floats(152, 220),
    actual_kg=st.floats(20, 350),
    sex=st.sampled_from(["female", "male"]),
)
def test_dosing_weight_never_exceeds_actual_and_never_falls_below_ideal(
    height_cm: float, actual_kg: float, sex: Sex
) -> None:
    chosen = choose_dosing_weight(
        "adjusted", actual_kg=actual_kg, height_cm=height_cm, sex=sex, age_years=40, pregnant=False
    )
    ideal = ideal_body_weight_kg(height_cm, sex)
    assert chosen.kg <= round(actual_kg, 1)
    assert chosen.kg >= min(round(actual_kg, 1), round(ideal, 1)) - 0.1
    assert adjusted_body_weight_kg(actual_kg, ideal) == pytest.approx(
        ideal + 0.4 * (actual_kg - ideal)
    )
