"""The ward-event routes skip FastAPI's dependency solving (`LeanRoute`) and must still
authenticate, authorise and describe themselves exactly as the solved routes do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from ivig_workflow.api.app import create_app
from ivig_workflow.api.auth import Caller, Context, Sender
from ivig_workflow.api.lean_route import LeanRoute, lean_parameters
from ivig_workflow.db.tables import InboxRow
from ivig_workflow.service.unit_of_work import reading

TOKENS = {"ward": "lean-ward-token-0123456789:ward", "reader": "lean-read-token-0123456789:read"}


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine=engine, tokens=TOKENS, public_docs=True))


def _event() -> dict[str, Any]:
    return {
        "type": "observation.recorded",
        "course_id": "no-such-course",
        "key": "k-1",
        "occurred_at": "2026-01-05T08:00:00+00:00",
        "data": {"weight_kg": 70},
    }


def test_no_token_is_401_with_the_bearer_challenge(client: TestClient) -> None:
    answer = client.post("/v1/events", json=_event())
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["detail"] == "a valid bearer token is required"


def test_another_scheme_is_no_token(client: TestClient) -> None:
    headers = {"Authorization": "Basic lean-ward-token-0123456789"}
    assert client.post("/v1/events", json=_event(), headers=headers).status_code == 401


def test_a_read_token_may_not_post(client: TestClient) -> None:
    headers = {"Authorization": "Bearer lean-read-token-0123456789"}
    answer = client.post("/v1/events", json=_event(), headers=headers)
    assert answer.status_code == 403
    assert "may only read" in answer.text


def test_the_sender_is_the_tokens_name(client: TestClient, engine: Engine) -> None:
    headers = {"Authorization": "Bearer lean-ward-token-0123456789"}
    answer = client.post("/v1/events", json=_event(), headers=headers)
    assert answer.status_code == 404, answer.text  # no such course: kept, answered
    assert answer.json()["status"] == "unknown_course"
    with reading(engine) as session:
        (kept,) = session.scalars(select(InboxRow)).all()
    assert kept.actor == "ward"


def test_the_contract_still_names_the_bearer_scheme(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/events"]["post"]
    assert operation["security"] == [{"HTTPBearer": []}]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/WardEvent"}


async def _other(request: Request, sender: Sender, count: int) -> JSONResponse:
    return JSONResponse({})


def _sync(request: Request, sender: Sender) -> JSONResponse:
    return JSONResponse({})


async def _wrong_type(request: Request, sender: str) -> JSONResponse:
    return JSONResponse({})


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        (_other, "parameter 'count'"),
        (_wrong_type, "parameter 'sender'"),
        (_sync, "must be async"),
    ],
)
def test_an_endpoint_a_lean_route_cannot_serve_is_refused_at_start_up(
    endpoint: Any, says: str
) -> None:
    with pytest.raises(TypeError, match=says):
        lean_parameters(endpoint)


def test_dependencies_beyond_the_endpoints_own_are_solved_as_usual(engine: Engine) -> None:
    """A dependency added where the router is included must not be skipped."""
    app = create_app(engine=engine, tokens=TOKENS)
    seen: list[str] = []

    def audit(request: Request) -> None:
        seen.append(request.url.path)

    router = APIRouter(route_class=LeanRoute)

    @router.post("/lean-probe")
    async def probe(request: Request, sender: Sender, caller: Caller, context: Context) -> Any:
        return JSONResponse({"sender": sender, "role": caller.role})

    app.include_router(router, dependencies=[Depends(audit)])
    headers = {"Authorization": "Bearer lean-ward-token-0123456789"}
    answer = TestClient(app).post("/lean-probe", headers=headers)
    assert answer.json() == {"sender": "ward", "role": "ward"}
    assert seen == ["/lean-probe"]
