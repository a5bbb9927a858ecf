"""`ivig dose` end to end over the real guideline, formulary and dosing policy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivig_workflow import settings
from ivig_workflow.cli.main import app
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.dosing_policy import load_dosing_policy
from ivig_workflow.loading.products import load_products

runner = CliRunner()

PRODUCT_SLUGS = {
    "privigen",
    "octagam-10",
    "octagam-5",
    "gamunex-c",
    "kiovig",
    "intratect-100",
    "intratect-50",
    "flebogamma-dif-10",
    "flebogamma-dif-5",
    "panzyga",
    "gammagard-liquid",
}
# The clinical reference gives no rate for these: their ramps are assumed.
WITHOUT_REFERENCE_RATES = {
    "octagam-5",
    "kiovig",
    "intratect-100",
    "intratect-50",
    "flebogamma-dif-10",
    "flebogamma-dif-5",
}


def test_ten_plans_180_g_over_3_to_5_days_in_one_cycle() -> None:
    result = runner.invoke(
        app, ["dose", "--indication", "toxic-epidermal-necrolysis", "--weight-kg", "60", "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)  # exactly one JSON object
    assert plan["total_dose_g"] == 180
    assert plan["days_range"] == {"min": 3, "max": 5}
    assert plan["cycles_planned"] == 1
    assert sum(day["dose_g"] for day in plan["days"]) == plan["rounded_total_dose_g"]


def test_kawasaki_plans_the_aspirin_dose() -> None:
    result = runner.invoke(
        app, ["dose", "--indication", "kawasaki-disease", "--weight-kg", "18", "--json"]
    )
    assert result.exit_code == 0, result.output
    (adjunct,) = json.loads(result.stdout)["adjuncts"]
    assert (adjunct["dose_mg_per_kg_per_day"], adjunct["daily_dose_mg"]) == (50, 900)


def test_people_get_tables() -> None:
    result = runner.invoke(
        app,
        [
            "dose",
            "--indication",
            "wegener-granulomatosis",
            "--weight-kg",
            "80",
            "--organ-involvement",
            "kidney",
            "--reduced-dose",
            "--product",
            "privigen",
        ],
    )
    assert result.exit_code == 0, result.output
    for heading in ("dosing weight", "chair", "warnings", "sources", "reduced"):
        assert heading in result.stdout


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--indication", "dermatomyositis", "--weight-kg", "0"], "--weight-kg"),
        (["--indication", "dermatomyositis", "--weight-kg", "400"], "--weight-kg"),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--product", "nope"],
            "--product",
        ),
        (["--indication", "dermatomyositis", "--weight-kg", "70", "--days", "9"], "--days"),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--reduced-dose"],
            "--reduced-dose",
        ),
        (["--indication", "nope", "--weight-kg", "70"], "--indication"),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--height-cm", "20"],
            "--height-cm",
        ),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--dosing-weight", "adjusted"],
            "--height-cm",
        ),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--rounding", "up"],
            "--rounding",
        ),
        (
            ["--indication", "dermatomyositis", "--weight-kg", "70", "--organ-involvement", "lung"],
            "--organ-involvement",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_option(
    arguments: list[str], option: str
) -> None:
    result = runner.invoke(app, ["dose", *arguments, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {option}: ")


def test_weight_error_states_the_rule() -> None:
    result = runner.invoke(app, ["dose", "--indication", "dermatomyositis", "--weight-kg", "0"])
    assert result.stderr.strip() == "error: --weight-kg: must be above 0 and at most 350 kg"


def test_the_formulary_lists_every_product_of_the_clinical_reference() -> None:
    formulary = load_products()
    assert set(formulary.products) == PRODUCT_SLUGS
    for slug in WITHOUT_REFERENCE_RATES:
        assert "assumed: not in the clinical reference; pharmacist to review" in (
            formulary.product(slug).source.replace("Assumed", "assumed")
        )
    # 0.5 mL/kg/h and 5 mL/kg/h, converted to mL/kg/min.
    gammagard = formulary.product("gammagard-liquid")
    assert gammagard.ramp[0].rate_ml_per_kg_min == pytest.approx(0.5 / 60, abs=1e-5)
    assert gammagard.max_rate_ml_per_kg_min == pytest.approx(5 / 60, abs=1e-5)


def test_the_dosing_policy_defaults() -> None:
    policy = load_dosing_policy()
    assert (policy.dosing_weight.policy, policy.rounding.policy) == ("actual", "vial_combination")
    assert policy.rounding.tolerance == 0.05
    assert (
        policy.observation.first_infusion_or_switch_minutes,
        policy.observation.otherwise_minutes,
    ) == (60, 20)
    assert policy.weight.max_kg == 350
    assert load_products().product(policy.default_product.slug)


@pytest.mark.parametrize("product", sorted(PRODUCT_SLUGS))
def test_every_product_plans_a_course(product: str) -> None:
    result = runner.invoke(
        app,
        [
            "dose",
            "--indication",
            "dermatomyositis",
            "--weight-kg",
            "73.4",
            "--product",
            product,
            "--renal-impairment",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert len(plan["days"]) == 5
    assert plan["rate_cap_ml_per_kg_min"] is not None


def test_a_broken_products_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(settings.config_dir(), config)
    path = config / "products.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "concentration_g_per_l: 50", "concentration_g_per_l: -5", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        load_products(config)
    assert str(path) in refused.value.field
    assert "product 'octagam-5'" in refused.value.field
    assert refused.value.field.endswith("concentration_g_per_l")
