"""Schemathesis over /openapi.json against the live server: no answer may be a 5xx.

Run on SQLite only and kept small (20 examples per operation) so it stays under a minute;
the other tests cover both databases.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import TOKENS, LiveApi

SCHEMATHESIS = Path(sys.executable).parent / "st"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_operation_answers_with_a_server_error(api: LiveApi) -> None:
    api.start_course()  # something to read and close
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{api.url}/openapi.json",
         "--checks", "not_a_server_error", "--max-examples", "20", "--seed", "4",
         "--workers", "1", "--phases", "examples,coverage,fuzzing",
         "-H", f"Authorization: Bearer {TOKENS['ward-a']}"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
