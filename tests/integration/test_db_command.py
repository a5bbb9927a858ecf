"""`ivig db upgrade` and `ivig db status` against both databases."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ivig_workflow.cli.main import app
from ivig_workflow.db.engine import head_revision

runner = CliRunner()


def test_upgrade_migrates_and_prints_the_revision(database_url: str) -> None:
    before = runner.invoke(app, ["db", "status", "--url", database_url, "--json"])
    assert before.exit_code == 1
    assert json.loads(before.stdout)["current"] is False

    upgraded = runner.invoke(app, ["db", "upgrade", "--url", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.strip() == f"database at revision {head_revision()}"

    after = runner.invoke(app, ["db", "status", "--url", database_url, "--json"])
    assert after.exit_code == 0
    assert json.loads(after.stdout) == {
        "revision": head_revision(),
        "head": head_revision(),
        "current": True,
    }


def test_upgrade_json_is_one_object(database_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--url", database_url, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"revision": head_revision(), "current": True}


def test_an_unsupported_url_exits_2_with_one_line() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--url", "mysql://db/ivig"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: database url: must be sqlite:/// or postgresql(+psycopg)://"
    ]


def test_an_unreachable_server_exits_2_with_one_line() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--url", "postgresql://ivig@127.0.0.1:1/ivig"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: database: OperationalError")
