"""`ivig guideline list` and `ivig guideline show`, as people and machines call them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivig_workflow import settings
from ivig_workflow.cli.main import app

REAL_CONFIG = settings.REPO_ROOT / "config"
WIDE = {"COLUMNS": "220", "IVIG_CONFIG_DIR": str(REAL_CONFIG)}
runner = CliRunner()


def test_list_json_has_every_indication_with_its_evidence() -> None:
    result = runner.invoke(app, ["guideline", "list", "--json"], env=WIDE)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 26
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["dermatomyositis"]["evidence"]["level"] == "Ib"
    assert by_slug["kawasaki-disease"]["evidence"]["grade"] == "A"
    scleroderma = by_slug["scleroderma"]["evidence"]
    assert (scleroderma["level"], scleroderma["grade"]) == (None, None)
    assert all("level" in row["evidence"] and "grade" in row["evidence"] for row in rows)
    assert by_slug["toxic-epidermal-necrolysis"]["dose"]["g_per_kg"] == 3
    assert by_slug["toxic-epidermal-necrolysis"]["single_cycle"] is True
    assert by_slug["dermatomyositis"]["long_term"]["washout_after_cycle"] == 12


def test_list_renders_a_table_for_people() -> None:
    result = runner.invoke(app, ["guideline", "list", "--wide"], env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "edf-eadv-2011.1" in result.stdout
    for slug in ("epidermolysis-bullosa-acquisita", "kawasaki-disease", "pyoderma-gangrenosum"):
        assert slug in result.stdout
    kawasaki = next(line for line in result.stdout.splitlines() if "kawasaki-disease" in line)
    assert "Ia" in kawasaki and "first" in kawasaki and "yes" in kawasaki
    assert "┃ slug" in result.stdout


def test_show_cites_every_rule() -> None:
    result = runner.invoke(app, ["guideline", "show", "kawasaki-disease", "--json"], env=WIDE)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["guideline_version"] == "edf-eadv-2011.1"
    assert document["indication"]["slug"] == "kawasaki-disease"
    rules = {rule["rule"]: rule for rule in document["rules"]}
    assert {
        "evidence",
        "line",
        "dose",
        "days per cycle",
        "interval",
        "long term",
        "adjunct",
    } <= set(rules)
    assert all(rule["citation"].startswith("EDF/EADV IVIg guideline, ") for rule in rules.values())
    assert rules["adjunct"]["value"] == "acetylsalicylic acid 50 mg/kg/day"
    assert "Only 1 cycle in Kawasaki´s disease and TEN" in rules["long term"]["citation"]  # noqa: RUF001


def test_show_renders_citations_for_people() -> None:
    result = runner.invoke(app, ["guideline", "show", "toxic-epidermal-necrolysis"], env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "Toxic epidermal necrolysis, item 4" in result.stdout
    assert "monotherapy" in result.stdout


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_show_of_an_unknown_indication_exits_2_with_one_line(as_json: list[str]) -> None:
    result = runner.invoke(app, ["guideline", "show", "psoriasis", *as_json], env=WIDE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: indication: unknown indication 'psoriasis'\n"


def test_a_broken_guideline_exits_2_naming_file_indication_and_field(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REAL_CONFIG / "guideline", config / "guideline")
    group = config / "guideline" / "toxic-epidermal-necrolysis.yaml"
    group.write_text(
        group.read_text("utf-8").replace("g_per_kg: 3\n", "g_per_kg: -3\n", 1), "utf-8"
    )
    result = runner.invoke(app, ["guideline", "list"], env={"IVIG_CONFIG_DIR": str(config)})
    assert result.exit_code == 2
    assert result.stderr == (
        "error: config/guideline/toxic-epidermal-necrolysis.yaml: indication "
        "'toxic-epidermal-necrolysis': dose.g_per_kg: Input should be greater than 0\n"
    )


def _ivig_command() -> list[str]:
    script = Path(sys.executable).with_name("ivig")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ivig_workflow.cli.main import app; app(prog_name='ivig')"]


def test_console_script_prints_one_json_array() -> None:
    completed = subprocess.run(
        [*_ivig_command(), "guideline", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "IVIG_CONFIG_DIR": str(REAL_CONFIG)},
    )
    assert completed.returncode == 0, completed.stderr
    rows = json.loads(completed.stdout)
    assert [row["slug"] for row in rows][:2] == ["dermatomyositis", "polymyositis"]
    assert len(rows) == 26
