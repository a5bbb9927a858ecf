"""Every `ivig` table reads in an 80-column terminal; `--wide` shows every column.

Rich cuts what does not fit to `…`: in an 80-column terminal `ivig guideline list`
once showed every header as `…`. Each table here is rendered as a person's terminal
would (typer's CliRunner with COLUMNS set, which rich reads), over the real config
and a real database (SQLite and PostgreSQL), and checked line by line.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ivig_workflow import settings
from ivig_workflow.cli.main import app

REAL_CONFIG = str(settings.REPO_ROOT / "config")
runner = CliRunner()


def render(args: list[str], columns: int, url: str | None = None) -> str:
    env = {"COLUMNS": str(columns), "IVIG_CONFIG_DIR": REAL_CONFIG}
    if url is not None:
        env["IVIG_DATABASE_URL"] = url
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def headers(output: str) -> list[list[str]]:
    """The header cells of each table, in order (rich draws headers with `┃`).

    A header rich wrapped at a space over several lines is joined back with a space;
    one it cut or folded mid-word does not join back to its name.
    """
    tables: list[list[str]] = []
    lines: list[list[str]] = []
    for line in [*output.splitlines(), ""]:
        if line.startswith("┃"):
            lines.append([cell.strip() for cell in line.strip("┃").split("┃")])
        elif lines:
            tables.append(
                [" ".join(part for part in cells if part) for cells in zip(*lines, strict=True)]
            )
            lines = []
    return tables


def assert_reads_in_80_columns(output: str) -> None:
    too_long = [line for line in output.splitlines() if len(line) > 80]
    assert not too_long, "\n".join(too_long)
    # No data in the config or the database contains `…`: any one is rich cutting a cell.
    cut = [line for line in output.splitlines() if "…" in line]
    assert not cut, "\n".join(cut)


GUIDELINE_NARROW = ["slug", "evidence", "line", "g/kg", "days", "weeks"]
GUIDELINE_WIDE = [
    "slug",
    "name",
    "group",
    "level",
    "grade",
    "line",
    "g/kg",
    "days min-default-max",
    "interval initial/max (weeks)",
    "review/washout cycle",
    "single cycle",
]


def test_guideline_list_fits_80_columns_with_the_columns_people_need() -> None:
    output = render(["guideline", "list"], 80)
    assert_reads_in_80_columns(output)
    assert headers(output) == [GUIDELINE_NARROW]
    kawasaki = next(line for line in output.splitlines() if "kawasaki-disease" in line)
    assert [cell.strip() for cell in kawasaki.strip("│").split("│")] == [
        "kawasaki-disease",
        "Ia A",
        "first",
        "2",
        "1-1-5",
        "4/4",
    ]
    scleroderma = next(line for line in output.splitlines() if "│ scleroderma" in line)
    assert [cell.strip() for cell in scleroderma.strip("│").split("│")][:3] == [
        "scleroderma",
        "— —",
        "none",
    ]
    caption = " ".join(output.split())
    assert "line: none = no recommendation" in caption
    assert "--wide adds: name, group" in caption
    assert output.count("│ pyoderma-gangrenosum") == 1


def test_guideline_list_wide_shows_every_column() -> None:
    output = render(["guideline", "list", "--wide"], 200)
    assert headers(output) == [GUIDELINE_WIDE]
    assert "--wide adds" not in output


@pytest.mark.parametrize(
    "args",
    [
        ["guideline", "show", "dermatomyositis"],
        ["guideline", "show", "toxic-epidermal-necrolysis"],
        ["dose", "--indication", "toxic-epidermal-necrolysis", "--weight-kg", "60"],
        ["dose", "--indication", "dermatomyositis", "--weight-kg", "130", "--height-cm", "165"],
        [
            "eligibility",
            "--indication",
            "pemphigus-vulgaris",
            "--severity",
            "severe",
            "--tried",
            "systemic_steroids:12:no_improvement",
            "--tried",
            "immunosuppressant:12:refractory",
            "--concomitant-immunosuppression",
        ],
        ["deploy", "--dry-run"],
    ],
    ids=["guideline-show", "guideline-show-ten", "dose", "dose-adjusted", "eligibility", "deploy"],
)
def test_tables_without_a_database_fit_80_columns(args: list[str]) -> None:
    output = render(args, 80)
    assert headers(output), "no table rendered"
    assert_reads_in_80_columns(output)


def test_deploy_wide_shows_flow_and_parameters() -> None:
    assert headers(render(["deploy", "--dry-run"], 80)) == [["deployment", "schedule", "trigger"]]
    assert headers(render(["deploy", "--dry-run", "--wide"], 200)) == [
        ["deployment", "flow", "parameters", "schedule", "trigger"]
    ]


START = [
    "course",
    "start",
    "--patient",
    "PSN-TABLE-1",
    "--indication",
    "toxic-epidermal-necrolysis",
    "--weight-kg",
    "60",
    "--start-date",
    "2026-12-03",
    "--now",
    "2026-12-01T09:00:00+01:00",
]
NARROW = {
    "course show": [
        ["#", "dates", "grams/day", "total g", "product", "status", "lots"],
        ["id", "role", "due", "what"],
        ["at", "to", "trigger", "rule"],
    ],
    "course list": [["course", "patient", "indication", "state"]],
    "tick": [["course", "patient", "what fired"]],
    "tasks": [["id", "due", "role", "status", "what"]],
}
WIDE = {
    "course show": [
        ["#", "series", "dates", "grams/day", "total g", "product", "status", "lots"],
        ["id", "role", "kind", "due", "what"],
        ["at", "from", "to", "trigger", "key", "rule"],
    ],
    "course list": [
        ["course", "patient", "indication", "centre", "state", "series", "cycles", "interval"]
    ],
    "tick": [["course", "patient", "centre", "state", "what fired", "effects"]],
    "tasks": [["id", "due", "role", "kind", "status", "what", "rule"]],
}


@pytest.fixture
def course(database_url: str) -> tuple[str, str]:
    """A TEN course, started; `tick` below releases its first cycle and chases it."""
    started: dict[str, Any] = json.loads(render([*START, "--json"], 200, database_url))
    return database_url, started["course_id"]


def commands(course_id: str) -> dict[str, list[str]]:
    """In order: the sweep first, so the tables after it have tasks and history."""
    return {
        "tick": ["tick", "--now", "2026-12-06T09:00:00+01:00"],
        "course show": ["course", "show", course_id],
        "course list": ["course", "list"],
        "tasks": ["tasks"],
    }


def test_course_tables_fit_80_columns(course: tuple[str, str]) -> None:
    url, course_id = course
    for name, args in commands(course_id).items():
        output = render(args, 80, url)
        assert_reads_in_80_columns(output)
        assert headers(output) == NARROW[name], name
        assert "--wide adds" in output, name
        if name in ("tick", "course list"):
            # Identifiers people copy stay whole on one line.
            assert course_id in output, name
        if name == "tasks":
            assert "Prepare 180 g" in output and "octagam-10" in output


def test_course_tables_wide_show_every_column(course: tuple[str, str]) -> None:
    url, course_id = course
    for name, args in commands(course_id).items():
        output = render([*args, "--wide"], 200, url)
        assert headers(output) == WIDE[name], name
        assert "--wide adds" not in output, name
    started = render([*START, "--course-id", "c-wide", "--wide"], 200, url)
    assert headers(started) == WIDE["course show"]


def test_token_list_fits_80_columns(database_url: str) -> None:
    name = "ward-main-dermatology-infusion-suite"
    create = ["token", "create", name, "--centre", "main", "--role", "ward", "--by", "ops"]
    render([*create, "--url", database_url], 80, database_url)
    output = render(["token", "list", "--url", database_url], 80, database_url)
    assert_reads_in_80_columns(output)
    assert headers(output) == [["name", "role", "centres", "state"]]
    assert name in output and "expires" in output
