"""Issue 11's safe plans on the command line: `ivig dose` and `ivig course start`
refuse a departure from the guideline without `--override-reason`, and say so in words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ivig_workflow.cli.main import app

runner = CliRunner()
VASCULITIS = ["--indication", "wegener-granulomatosis", "--weight-kg", "70"]


def dose(*arguments: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["dose", *arguments, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else result.stderr.strip()


@pytest.mark.parametrize(
    ("arguments", "option", "passage"),
    [
        (["--reduced-dose"], "--reduced-dose", "reduced dose should be used"),
        (["--g-per-kg", "1.5"], "--g-per-kg", "total dose of 2 g per kg"),
    ],
)
def test_ivig_dose_refuses_a_departure_without_a_reason(
    arguments: list[str], option: str, passage: str
) -> None:
    error = dose(*VASCULITIS, *arguments, code=2)
    assert error.startswith(f"error: {option}: ")
    assert passage in error
    plan = dose(*VASCULITIS, *arguments, "--override-reason", "frail, agreed with nephrology")
    assert plan["override_reason"] == "frail, agreed with nephrology"
    assert any(passage in warning for warning in plan["warnings"])


def test_scleroderma_is_planned_only_with_a_reason() -> None:
    arguments = ["--indication", "scleroderma", "--weight-kg", "70"]
    assert "no clear recommendation" in dose(*arguments, code=2)
    assert dose(*arguments, "--override-reason", "tumour board")["override_reason"]


def test_course_start_records_the_override_with_who_and_why(tmp_path: Any) -> None:
    env = {"IVIG_DATABASE_URL": f"sqlite:///{tmp_path / 'ivig.db'}"}
    start = [
        "course",
        "start",
        "--patient",
        "PSN-1",
        *VASCULITIS,
        "--start-date",
        "2026-01-19",
        "--now",
        "2026-01-05T09:00:00+00:00",
        "--course-id",
        "c-1",
        "--json",
    ]
    refused = runner.invoke(app, [*start, "--reduced-dose"], env=env)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --reduced-dose: ")
    started = runner.invoke(app, [*start, "--reduced-dose", "--override-reason", "frail"], env=env)
    assert started.exit_code == 0, started.output
    shown = runner.invoke(app, ["course", "show", "c-1", "--json"], env=env)
    override = json.loads(shown.stdout)["override"]
    assert (override["reason"], override["by"]) == ("frail", "cli")


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--weight-kg", "0"], "--weight-kg"),
        (["--egfr", "-4"], "--egfr"),
        (["--start-date", "2020-01-01"], "--start-date"),
    ],
)
def test_course_start_errors_name_the_option_in_words(
    tmp_path: Any, arguments: list[str], option: str
) -> None:
    env = {"IVIG_DATABASE_URL": f"sqlite:///{tmp_path / 'ivig.db'}"}
    base = {
        "--patient": "PSN-1",
        "--indication": "dermatomyositis",
        "--weight-kg": "70",
        "--start-date": "2026-01-19",
        "--now": "2026-01-05T09:00:00+00:00",
    }
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        base[flag] = value
    result = runner.invoke(
        app, ["course", "start", *[x for kv in base.items() for x in kv]], env=env
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {option}: ")
    assert "pydantic" not in result.stderr


def test_ivig_dose_reports_the_delivered_fraction() -> None:
    plan = dose("--indication", "dermatomyositis", "--weight-kg", "74.1")
    assert plan["delivered_fraction"] == round(
        plan["rounded_total_dose_g"] / plan["total_dose_g"], 4
    )
    assert 0.95 <= plan["delivered_fraction"] <= 1.05


@pytest.mark.parametrize(
    ("egfr", "days", "cap", "confirm"),
    [("90", 3, None, False), ("45", 5, 0.03, False), ("20", 5, 0.03, True)],
)
def test_ivig_dose_uses_the_egfr(egfr: str, days: int, cap: float | None, confirm: bool) -> None:
    # "In patients with cardiac or renal impairment, immunoglobulin preparations should be
    # administered over a longer period of time."
    plan = dose("--indication", "pemphigus-vulgaris", "--weight-kg", "70", "--egfr", egfr)
    assert (len(plan["days"]), plan["rate_cap_ml_per_kg_min"]) == (days, cap)
    assert plan["release_needs_confirmation"] is confirm


def test_ivig_dose_refuses_an_impossible_egfr() -> None:
    error = dose("--indication", "dermatomyositis", "--weight-kg", "70", "--egfr", "900", code=2)
    assert error.startswith("error: --egfr: must lie within 0..250")


def test_ivig_dose_names_the_renal_risk_factors() -> None:
    plan = dose(
        "--indication",
        "dermatomyositis",
        "--weight-kg",
        "70",
        "--age-years",
        "72",
        "--diabetes",
        "--nephrotoxic-drugs",
    )
    assert plan["renal_risk_factors"] == ["age over 65", "diabetes", "nephrotoxic drugs"]


def test_a_physician_confirms_a_held_cycle_from_the_command_line(tmp_path: Any) -> None:
    env = {"IVIG_DATABASE_URL": f"sqlite:///{tmp_path / 'ivig.db'}"}

    def run(*arguments: str, code: int = 0) -> Any:
        result = runner.invoke(app, [*arguments, "--json"], env=env)
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    run(
        "course",
        "start",
        "--patient",
        "PSN-1",
        "--indication",
        "pemphigus-vulgaris",
        "--weight-kg",
        "70",
        "--egfr",
        "22",
        "--start-date",
        "2026-01-19",
        "--now",
        "2026-01-05T09:00:00+00:00",
        "--course-id",
        "c-1",
    )
    run("tick", "--now", "2026-01-12T06:00:00+00:00")
    shown = run("course", "show", "c-1")
    assert shown["cycles"][0]["status"] == "planned"
    assert [t["kind"] for t in shown["open_tasks"]] == ["confirm_release"]
    run(
        "event",
        "cycle.release_confirmed",
        "--course",
        "c-1",
        "--key",
        "confirm-1",
        "--at",
        "2026-01-12T08:00:00+00:00",
        "--sender",
        "dr-nephro",
        "--data",
        '{"cycle": 1, "reason": "nephrology agrees"}',
    )
    run("tick", "--now", "2026-01-12T09:00:00+00:00")
    cycle = run("course", "show", "c-1")["cycles"][0]
    assert cycle["status"] == "released"
    assert cycle["release_confirmation"]["by"] == "dr-nephro"
    assert cycle["release_confirmation"]["reason"] == "nephrology agrees"


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (["--patient", "bad name"], "error: --patient: may hold only letters, digits"),
        (["--sex", "x"], "error: --sex: must be 'female' or 'male'"),
        (["--organ-involvement", "lung"], "error: --organ-involvement: must be"),
    ],
)
def test_course_start_option_errors_read_as_words(
    tmp_path: Any, extra: list[str], line: str
) -> None:
    env = {"IVIG_DATABASE_URL": f"sqlite:///{tmp_path / 'ivig.db'}"}
    arguments = [
        "course",
        "start",
        "--patient",
        "PSN-1",
        "--indication",
        "dermatomyositis",
        "--weight-kg",
        "70",
        "--start-date",
        "2026-01-19",
        "--now",
        "2026-01-05T09:00:00+00:00",
        *extra,
    ]
    result = runner.invoke(app, arguments, env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith(line), result.stderr
