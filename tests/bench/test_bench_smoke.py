"""The smoke size of the sweep benchmark runs and appends a result line: no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("workload", ["sweep"])
def test_smoke_run_writes_a_result_line(workload: str, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    subprocess.run(
        [sys.executable, "-m", f"bench.{workload}", "--smoke"],
        cwd=REPO,
        env={
            "IVIG_BENCH_CACHE": str(tmp_path / "cache"),
            "IVIG_BENCH_RESULTS": str(results),
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
        timeout=300,
    )
    lines = results.read_text().splitlines()
    assert len(lines) == 2  # the sweep at the same due count, and at 1 % due
    last = json.loads(lines[-1])
    assert last["workload"] == workload and last["smoke"] is True
    assert last["figures"]["examined"] == last["figures"]["due"] > 0
