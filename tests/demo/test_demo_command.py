"""`ivig demo` at a small size: courses, ward events and notifications, no names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from ivig_workflow.cli.main import app
from ivig_workflow.db.engine import make_engine
from ivig_workflow.db.statuses import CycleStatus
from ivig_workflow.db.tables import CourseRow, CycleRow, InboxRow, OutboxRow, Patient

REFERENCE = re.compile(r"^DEMO-\d{4}$")


def test_demo_fills_the_database_under_pseudonymous_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("IVIG_DATABASE_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(
        app,
        ["demo", "--courses", "6", "--months", "2", "--dashboard", "http://127.0.0.1:9/api"],
    )
    assert result.exit_code == 0, result.output
    assert "6 courses" in result.output
    assert "no Prefect server" in result.output
    # The chairs of every centre, re-planned and shown at a glance.
    assert "chairs at main:" in result.output and "chairs at london:" in result.output

    engine = make_engine(f"sqlite:///{tmp_path / 'ivig.sqlite3'}")
    with Session(engine) as session:
        refs = session.scalars(select(Patient.ref)).all()
        assert len(refs) == 6 and all(REFERENCE.match(ref) for ref in refs)
        assert session.scalar(select(func.count()).select_from(CourseRow)) == 6
        indications = session.scalars(select(CourseRow.indication).distinct()).all()
        assert len(indications) == 6  # one per group cycled through, not six of one
        events = session.scalar(select(func.count()).select_from(InboxRow))
        assert events is not None and events > 6
        given = session.scalar(
            select(func.count())
            .select_from(CycleRow)
            .where(col(CycleRow.status) != CycleStatus.PLANNED)
        )
        assert given
        delivered = session.scalar(
            select(func.count()).select_from(OutboxRow).where(col(OutboxRow.status) == "delivered")
        )
        assert delivered
    engine.dispose()

    lines = (tmp_path / "notifications.jsonl").read_text().splitlines()
    assert len(lines) == delivered
    for line in lines:
        message = json.loads(line)
        # Only pseudonymous references: any DEMO- token is a whole reference.
        for token in re.findall(r"DEMO-\S*", line):
            assert REFERENCE.match(token.rstrip('",.:;)')), token
        assert "patient_name" not in message and "name" not in message
