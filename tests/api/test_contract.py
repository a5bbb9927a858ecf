"""The OpenAPI contract (issue 12, item 6): every status a path can answer is documented,
the ward event is a union discriminated by `type` with an example of each, and the
documents need a token unless IVIG_API_PUBLIC_DOCS opens them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ivig_workflow import settings
from ivig_workflow.api.app import create_app
from ivig_workflow.domain.course.events import EVENT_TYPES
from ivig_workflow.service.rulebook import Rulebook
from tests.api.conftest import TOKENS, LiveApi

BEARER = {"Authorization": f"Bearer {TOKENS['ward-a']}"}


def document(api: LiveApi) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_documents_need_a_token(api: LiveApi) -> None:
    for path in ("/openapi.json", "/docs"):
        response = api.anonymous.get(path)
        assert response.status_code == 401 and response.json()["status"] == "unauthorized"
    assert api.client.get("/docs").status_code == 200
    assert "SwaggerUIBundle" in api.client.get("/docs").text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_public_docs_is_a_setting(
    engine: Engine, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVIG_API_PUBLIC_DOCS", "1")
    assert settings.api_public_docs()
    with TestClient(create_app(engine=engine, rulebook=rulebook, tokens=TOKENS)) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/v1/courses").status_code == 401  # only the documents open up
    monkeypatch.setenv("IVIG_API_PUBLIC_DOCS", "0")
    with TestClient(create_app(engine=engine, rulebook=rulebook, tokens=TOKENS)) as client:
        assert client.get("/openapi.json").status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_path_documents_401_and_503_and_bodies_415_and_422(api: LiveApi) -> None:
    paths = document(api)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path == "/healthz":
                assert not codes & {"401", "503"}
                continue
            assert {"401", "503"} <= codes, (method, path)
            body = operation.get("requestBody", {}).get("content", {})
            if body:
                assert {"413", "422"} <= codes, (method, path)
            if any(kind.endswith("json") for kind in body):
                assert "415" in codes, (method, path)
    assert {"200", "201", "404", "409", "422"} <= set(paths["/v1/events"]["post"]["responses"])
    assert "409" in paths["/v1/tasks/{task_id}/complete"]["post"]["responses"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_event_body_is_a_union_by_type_with_an_example_each(api: LiveApi) -> None:
    found = document(api)
    body = found["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    union = found["components"]["schemas"]["WardEvent"]
    assert union["discriminator"]["propertyName"] == "type"
    assert sorted(union["discriminator"]["mapping"]) == sorted(EVENT_TYPES)
    assert sorted(body["examples"]) == sorted(EVENT_TYPES)
    for kind, example in body["examples"].items():
        response = api.client.post("/v1/events", json=example["value"])
        assert response.json()["status"] == "unknown_course", (kind, response.text)
    infusion = found["components"]["schemas"]["InfusionAdministered"]
    assert {"type", "course_id", "key", "occurred_at", "data"} <= set(infusion["properties"])
