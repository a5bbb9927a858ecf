"""Scoped tokens over real HTTP: a ward token acts for its own centres only, a read token
only reads, an admin token does everything; tokens expire, rotate with a grace period
and are revoked; each change is audited."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from ivig_workflow.api.app import create_app
from ivig_workflow.api.tokens import (
    TokenStore,
    configured_tokens,
    create_token,
    revoke_token,
    rotate_token,
)
from ivig_workflow.cli.main import app as cli
from ivig_workflow.db.statuses import WorkItemStatus
from ivig_workflow.db.tables import ApiTokenAuditRow, InboxRow, WorkItemRow
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork, reading
from tests.api.conftest import MovableClock, infusion, on_loopback
from tests.api.test_hospital_formats import HL7, adt_a08, medication_administration

TOKENS = {
    "admin": "admin-secret-0123456789",
    "main-ward": "main-ward-secret-0123456789:ward:main",
    "main-reader": "main-reader-secret-012345:read:main",
}
SECRET = {name: value.split(":")[0] for name, value in TOKENS.items()}


@dataclass
class Live:
    url: str
    engine: Engine
    clock: MovableClock

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )


@contextmanager
def _serving(engine: Engine, rulebook: Rulebook) -> Iterator[Live]:
    clock = MovableClock()
    app = create_app(engine=engine, rulebook=rulebook, clock=clock, tokens=TOKENS)
    with on_loopback(app) as url:
        yield Live(url, engine, clock)


@pytest.fixture
def live(engine: Engine, rulebook: Rulebook) -> Iterator[Live]:
    with _serving(engine, rulebook) as serving:
        yield serving


def _course(client: httpx.Client, centre: str, patient: str = "PSN-0001") -> dict[str, Any]:
    body = {
        "patient_ref": patient,
        "indication": "dermatomyositis",
        "start_date": "2026-01-12",
        "weight_kg": 70,
        "centre": centre,
    }
    response = client.post("/v1/courses", json=body)
    assert response.status_code == 201, response.text
    course: dict[str, Any] = response.json()
    return course


def _forbidden(response: httpx.Response, field: str) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["status"] == "forbidden" and body["errors"][0]["field"] == field, body
    rule = body["errors"][0]["rule"]
    assert "may act for main only" in rule or "may only read" in rule, rule


def test_a_ward_token_acts_for_its_own_centre_only(live: Live) -> None:
    admin, ward = live.client(SECRET["admin"]), live.client(SECRET["main-ward"])
    main, london = _course(admin, "main"), _course(admin, "london")
    own = _course(ward, "main", "PSN-0002")
    assert own["centre"] == "main"
    _forbidden(
        ward.post(
            "/v1/courses",
            json={
                "patient_ref": "PSN-9",
                "centre": "london",
                "indication": "dermatomyositis",
                "start_date": "2026-01-12",
                "weight_kg": 70,
            },
        ),
        "centre",
    )
    assert ward.get(f"/v1/courses/{main['course_id']}").status_code == 200
    _forbidden(ward.get(f"/v1/courses/{london['course_id']}"), "course_id")
    listed = ward.get("/v1/courses").json()["items"]
    assert {c["centre"] for c in listed} == {"main"} and len(listed) == 2
    assert len(admin.get("/v1/courses").json()["items"]) == 3
    _forbidden(ward.get("/v1/courses", params={"centre": "london"}), "centre")

    day = main["cycles"][0]["planned_dates"][0]
    event = infusion(london["course_id"], "k-london", 1, 1, 10, day)
    _forbidden(ward.post("/v1/events", json=event), "course_id")
    mixed = [infusion(main["course_id"], "k-main", 1, 1, 10, day), event]
    _forbidden(ward.post("/v1/events/batch", json=mixed), "[1].course_id")
    resource = medication_administration(london["course_id"], 1, 1, 10, day)
    _forbidden(ward.post("/v1/fhir", json=resource), "[0].course_id")
    with reading(live.engine) as session:
        assert session.scalars(select(InboxRow)).all() == []  # nothing taken of any of it
    # An event for its own centre goes through as before, answered from a cached lookup.
    assert ward.post("/v1/events", json=mixed[0]).status_code in (201, 409)
    assert admin.post("/v1/events", json={**event, "key": "k-admin"}).status_code in (201, 409)


def test_a_patients_measurement_reaches_only_the_wards_own_courses(live: Live) -> None:
    admin, ward = live.client(SECRET["admin"]), live.client(SECRET["main-ward"])
    main, london = _course(admin, "main"), _course(admin, "london")
    live.clock.now = datetime(2026, 1, 10, 18, tzinfo=UTC)  # after the A08's event time
    message = adt_a08("PSN-0001", "MSG-1", "72")
    answer = ward.post("/v1/hl7v2", content=message, headers={"Content-Type": HL7})
    assert answer.status_code == 200, answer.text
    assert admin.get(f"/v1/courses/{main['course_id']}").json()["weight_kg"] == 72
    assert admin.get(f"/v1/courses/{london['course_id']}").json()["weight_kg"] == 70


def test_a_read_token_only_reads(live: Live) -> None:
    admin, reader = live.client(SECRET["admin"]), live.client(SECRET["main-reader"])
    main, london = _course(admin, "main"), _course(admin, "london")
    assert reader.get(f"/v1/courses/{main['course_id']}").status_code == 200
    assert reader.get(f"/v1/courses/{london['course_id']}").status_code == 403
    assert reader.get("/v1/tasks").status_code == 200
    sends: list[tuple[str, Any]] = [
        ("/v1/courses", {}),
        ("/v1/events", {}),
        ("/v1/events/batch", []),
        ("/v1/tasks/1/complete", {}),
    ]
    for path, body in sends:
        response = reader.post(path, json=body)
        _forbidden(response, "token")
        assert "may only read" in response.json()["errors"][0]["rule"]


def test_tasks_of_another_centre_are_neither_listed_nor_closed(live: Live) -> None:
    admin, ward = live.client(SECRET["admin"]), live.client(SECRET["main-ward"])
    main, london = _course(admin, "main"), _course(admin, "london")
    with UnitOfWork(live.engine) as uow:
        for n, course_id in enumerate([main["course_id"], london["course_id"], None]):
            uow.session.add(
                WorkItemRow(
                    key=f"t{n}",
                    course_id=course_id,
                    role="physician",
                    kind="review",
                    title="look",
                    due_at=live.clock.now,
                    status=WorkItemStatus.OPEN,
                    created_at=live.clock.now,
                )
            )
        uow.commit()
    with reading(live.engine) as session:
        ids = {row.key: row.id for row in session.scalars(select(WorkItemRow))}
    seen = {item["course_id"] for item in ward.get("/v1/tasks").json()["items"]}
    assert main["course_id"] in seen and london["course_id"] not in seen and None not in seen
    _forbidden(ward.post(f"/v1/tasks/{ids['t1']}/complete", json={}), "task_id")
    _forbidden(ward.post(f"/v1/tasks/{ids['t2']}/complete", json={}), "task_id")
    assert ward.post(f"/v1/tasks/{ids['t0']}/complete", json={}).status_code == 200
    assert admin.post(f"/v1/tasks/{ids['t2']}/complete", json={}).status_code == 200


def test_database_tokens_expire_rotate_with_grace_and_are_revoked(live: Live) -> None:
    now = live.clock.now
    token = create_token(
        live.engine,
        "lab",
        now=now,
        role="ward",
        centres=["main"],
        expires_at=now + timedelta(days=90),
        by="alice",
    )
    lab = live.client(token)
    assert lab.get("/v1/courses").status_code == 200
    live.clock.now = now + timedelta(days=91)
    assert lab.get("/v1/courses").status_code == 401  # expired
    live.clock.now = now
    new = rotate_token(
        live.engine,
        "lab",
        now=now,
        grace=timedelta(hours=24),
        expires_at=now + timedelta(days=90),
        by="bob",
    )
    assert lab.get("/v1/courses").status_code == 200  # the old secret, within the grace
    assert live.client(new).get("/v1/courses").status_code == 200
    live.clock.now = now + timedelta(hours=25)
    assert lab.get("/v1/courses").status_code == 401  # the grace is over
    assert live.client(new).get("/v1/courses").status_code == 200
    newest = rotate_token(
        live.engine,
        "lab",
        now=live.clock.now,
        grace=timedelta(0),
        expires_at=now + timedelta(days=90),
        by="bob",
    )
    assert live.client(new).get("/v1/courses").status_code == 401  # no grace: gone at once
    _forbidden(live.client(newest).get("/v1/courses", params={"centre": "london"}), "centre")
    revoke_token(live.engine, "lab", now=live.clock.now, by="carol")
    assert live.client(newest).get("/v1/courses").status_code == 401
    with reading(live.engine) as session:
        audit = session.scalars(select(ApiTokenAuditRow).order_by(col(ApiTokenAuditRow.id)))
        trail = [(a.name, a.action, a.by, a.detail["role"], a.detail["centres"]) for a in audit]
    assert trail == [
        ("lab", "created", "alice", "ward", ["main"]),
        ("lab", "rotated", "bob", "ward", ["main"]),
        ("lab", "rotated", "bob", "ward", ["main"]),
        ("lab", "revoked", "carol", "ward", ["main"]),
    ]


def test_token_commands_scope_expire_and_audit(engine: Engine, database_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli, ["token", *args, "--url", database_url])

    made = run("create", "ward-7", "--centre", "main", "--role", "ward", "--by", "alice", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["expires_at"] is not None  # 90 days by default
    never = run("create", "ward-8", "--role", "ward", "--expires", "never")
    assert never.exit_code == 2 and "'never' is for admin tokens only" in never.stderr
    assert run("create", "ops", "--role", "admin", "--expires", "never").exit_code == 0
    bad = run("create", "x", "--role", "nurse")
    assert bad.exit_code == 2 and "role: must be one of ward, read, admin" in bad.stderr
    assert run("rotate", "ward-7", "--grace", "0", "--by", "bob").exit_code == 0
    assert run("revoke", "ward-7", "--by", "carol").exit_code == 0
    listed = json.loads(run("list", "--json").stdout)
    assert [(t["name"], t["role"], t["centres"], t["revoked_at"] is None) for t in listed] == [
        ("ops", "admin", ["*"], True),
        ("ward-7", "ward", ["main"], False),
    ]
    with reading(engine) as session:
        actions = [
            (a.name, a.action, a.by)
            for a in session.scalars(select(ApiTokenAuditRow).order_by(col(ApiTokenAuditRow.id)))
        ]
    assert actions[0] == ("ward-7", "created", "alice")
    assert ("ward-7", "rotated", "bob") in actions and ("ward-7", "revoked", "carol") in actions


def test_configured_tokens_carry_a_scope_or_are_admin_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    environ = {
        "IVIG_API_TOKENS": "ward-a:a-secret:ward:main+london, legacy:l-secret,board:b-secret:read:*"
    }
    with caplog.at_level(logging.WARNING, logger="ivig.tokens"):
        store = TokenStore(None, configured_tokens(environ))
    assert "admin for every centre: legacy" in caplog.text and "l-secret" not in caplog.text
    ward, legacy = store.configured_principal("a-secret"), store.configured_principal("l-secret")
    board = store.configured_principal("b-secret")
    assert ward is not None and ward.role == "ward"
    assert ward.centres == frozenset({"main", "london"})
    assert legacy is not None and legacy.role == "admin" and legacy.everywhere
    assert board is not None and board.role == "read" and board.everywhere
    with pytest.raises(ValueError, match=r"IVIG_API_TOKENS \(x\): must be one of ward"):
        configured_tokens({"IVIG_API_TOKENS": "x:secret:nurse"})
