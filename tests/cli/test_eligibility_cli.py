"""`ivig eligibility` end to end through typer, over the real guideline data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ivig_workflow.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["eligibility", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict[str, Any]:
    code, stdout, stderr = run(*args, "--json")
    assert (code, stderr) == (0, "")
    parsed = json.loads(stdout)
    assert isinstance(parsed, dict)
    return parsed


def codes(result: dict[str, Any]) -> set[str]:
    return {reason["code"] for reason in result["reasons"]}


def test_json_is_one_object_with_verdict_line_and_cited_reasons() -> None:
    result = run_json(
        "--indication",
        "dermatomyositis",
        "--severity",
        "severe",
        "--tried",
        "systemic_steroids:4:no_improvement",
        "--concomitant-immunosuppression",
    )
    assert result["indication"] == "dermatomyositis"
    assert result["guideline_version"]
    assert (result["verdict"], result["line_of_use"]) == ("indicated", "second")
    assert {"prior_therapy_failed", "adjuvant"} <= codes(result)
    for reason in result["reasons"]:
        assert reason["citation"].startswith("EDF/EADV IVIg guideline, ")
        assert reason["kind"] in {"reason", "warning", "blocker"}
    assert result["context"]["therapies_tried"] == [
        {"therapy": "systemic_steroids", "weeks": 4, "outcome": "no_improvement"}
    ]


def test_not_indicated_still_exits_zero_and_says_what_must_fail_first() -> None:
    result = run_json("--indication", "pemphigus-vulgaris", "--severity", "severe")
    assert result["verdict"] == "not_indicated"
    [blocker] = [r for r in result["reasons"] if r["kind"] == "blocker"]
    assert "systemic steroids" in blocker["text"]
    assert "another immunosuppressant" in blocker["text"]


def test_flags_map_to_the_context() -> None:
    first_line = run_json(
        "--indication",
        "dermatomyositis",
        "--severity",
        "severe",
        "--fulminant",
        "--severe-myolysis",
        "--paralysis",
        "--monotherapy",
    )
    assert (first_line["verdict"], first_line["line_of_use"]) == (
        "indicated_with_warnings",
        "first",
    )
    assert {"fulminant_course", "severe_myolysis", "paralysis", "monotherapy"} <= codes(first_line)
    ten = run_json(
        "--indication",
        "toxic-epidermal-necrolysis",
        "--severity",
        "severe",
        "--diagnosis-confirmed",
        "--monotherapy",
    )
    assert ten["verdict"] == "indicated"


def test_people_get_hyphens_accepted() -> None:
    result = run_json(
        "--indication",
        "bullous-pemphigoid",
        "--severity",
        "Severe",
        "--contraindication",
        "poorly-controlled-diabetes",
        "--concomitant-immunosuppression",
    )
    assert (result["verdict"], result["line_of_use"]) == ("indicated_with_warnings", "first")
    assert result["context"]["contraindications"] == ["poorly_controlled_diabetes"]


def test_context_file_is_merged_with_the_options(tmp_path: Path) -> None:
    path = tmp_path / "context.json"
    path.write_text(
        json.dumps(
            {
                "severity": "severe",
                "therapies_tried": [
                    {"therapy": "systemic_steroids", "weeks": 8, "outcome": "refractory"}
                ],
            }
        )
    )
    result = run_json(
        "--indication",
        "systemic-lupus-erythematosus",
        "--context",
        str(path),
        "--tried",
        "immunosuppressant:12:no_improvement",
        "--concomitant-immunosuppression",
    )
    assert (result["verdict"], result["line_of_use"]) == ("indicated", "second")
    assert len(result["context"]["therapies_tried"]) == 2


def test_people_see_the_verdict_and_the_citations() -> None:
    code, stdout, _ = run("--indication", "scleroderma", "--severity", "severe")
    assert code == 0
    assert "not_indicated" in stdout
    assert "no_recommendation" in stdout
    # The citation is the last column, so its wrapped lines join once the borders go.
    assert "no clear recommendation can be expressed" in " ".join(stdout.replace("│", " ").split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tried", "x"], "error: --tried: expected THERAPY:WEEKS:OUTCOME, got 'x'"),
        (["--tried", "steroids:4:no_improvement"], "error: --tried: expected one of"),
        (["--tried", "systemic_steroids:four:no_improvement"], "error: --tried: WEEKS must"),
        (["--tried", "systemic_steroids:4:better"], "error: --tried: expected one of"),
        (["--severity", "extreme"], "error: --severity: expected one of mild, moderate, severe"),
        (["--contraindication", "gout"], "error: --contraindication: expected one of"),
        (["--context", "/nonexistent/context.json"], "error: --context: cannot read"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_option(args: list[str], message: str) -> None:
    code, stdout, stderr = run("--indication", "dermatomyositis", *args, "--json")
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(message)
    assert stderr.count("\n") == 1


def test_unknown_indication_names_the_option() -> None:
    code, _, stderr = run("--indication", "psoriasis")
    assert (code, stderr) == (2, "error: --indication: unknown indication 'psoriasis'\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "error: --context: invalid JSON"),
        ("[1, 2]", "error: --context: expected a JSON object"),
        ('{"severity": "huge"}', "error: --context: severity: expected one of"),
        (
            '{"therapies_tried": [{"therapy": "systemic_steroids", "weeks": -2, '
            '"outcome": "refractory"}]}',
            "error: --context: therapies_tried.0.weeks:",
        ),
        ('{"patient_name": "someone"}', "error: --context: patient_name:"),
    ],
)
def test_bad_context_file_names_the_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "context.json"
    path.write_text(content)
    code, _, stderr = run("--indication", "dermatomyositis", "--context", str(path))
    assert code == 2
    assert stderr.startswith(message)
    assert stderr.count("\n") == 1
