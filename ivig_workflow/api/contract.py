"""The OpenAPI contract: every answer a path can give, the ward-event body as a union
discriminated by `type` with an example of each, and the documents behind the token.

Built once from FastAPI's own document and completed here, so that routes stay small:
401 and 503 wherever a token or the database is involved, 413/415/422 wherever a body
is read, and one refusal schema (`status`, `reason`, `errors [{field, rule}]`).
`/openapi.json` and `/docs` need a token unless `IVIG_API_PUBLIC_DOCS=1`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import TypeAdapter

from ivig_workflow import settings
from ivig_workflow.api.auth import authenticated_sender
from ivig_workflow.api.event_examples import EVENT_EXAMPLES
from ivig_workflow.domain.course.events import WardEvent

REFUSAL: dict[str, Any] = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "examples": ["invalid"]},
        "reason": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule"],
                "properties": {"field": {"type": "string"}, "rule": {"type": "string"}},
            },
        },
    },
}
_JSON_REFUSAL = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
_COMMON: dict[str, str] = {
    "401": "no valid bearer token; nothing was stored",
    "503": "busy (lock contention: send the same key again) or unavailable (the database "
    "is down, read-only or full: `reason` says which; nothing was stored)",
}
_WITH_BODY: dict[str, str] = {
    "413": "the body is over 64 KiB",
    "415": "the body's Content-Type is not JSON",
    "422": "a field breaks a rule: `errors` names each field and rule",
}
_OPEN_PATHS = ("/healthz",)


def _document(app: FastAPI, rulebook_indications: list[str]) -> dict[str, Any]:
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Refusal"] = REFUSAL
    event_schema = TypeAdapter(WardEvent).json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(event_schema.pop("$defs", {}))
    schemas["WardEvent"] = event_schema
    _event_bodies(document)
    start = schemas.get("StartCourse", {}).get("properties", {})
    if "indication" in start and rulebook_indications:
        start["indication"] = {**start["indication"], "enum": rulebook_indications}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            _complete(path, method, operation)
    return document


def _event_bodies(document: dict[str, Any]) -> None:
    paths = document["paths"]
    event = paths["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    event["schema"] = {"$ref": "#/components/schemas/WardEvent"}
    event["examples"] = {
        kind: {"summary": kind, "value": value} for kind, value in EVENT_EXAMPLES.items()
    }
    batch = paths["/v1/events/batch"]["post"]["requestBody"]["content"]["application/json"]
    # Items are any JSON values: each is answered on its own (`http_status` per item), a bad
    # one with its 422 inside the 200, so the array itself is all the schema promises.
    batch["schema"]["items"] = {"description": "a WardEvent (see /v1/events)"}
    batch["example"] = list(EVENT_EXAMPLES.values())[:2]


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code, answer in responses.items():
        if code.startswith(("4", "5")) and "content" not in answer:
            answer["content"] = _JSON_REFUSAL
    if path in _OPEN_PATHS:
        return
    wanted = dict(_COMMON)
    body_types = operation.get("requestBody", {}).get("content", {})
    if body_types:
        wanted.update({code: _WITH_BODY[code] for code in ("413", "422")})
    if any(kind.endswith("json") for kind in body_types):
        wanted["415"] = _WITH_BODY["415"]
    if operation.get("parameters"):
        wanted["422"] = _WITH_BODY["422"]
    for code, description in wanted.items():
        found = responses.setdefault(code, {"description": description})
        found.setdefault("content", _JSON_REFUSAL)
        if code == "422" and "HTTPValidationError" in json.dumps(found):
            responses[code] = {"description": description, "content": _JSON_REFUSAL}
    operation["security"] = [{"HTTPBearer": []}]


def public_docs_enabled() -> bool:
    return settings.api_public_docs()


def install_contract(app: FastAPI, indications: list[str], *, public: bool) -> None:
    """Replace FastAPI's open document routes with ones that ask for a token (or not)."""
    cached: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        if not cached:
            cached.update(_document(app, indications))
        return cached

    app.openapi = document  # type: ignore[method-assign]
    guard = [] if public else [Depends(authenticated_sender)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guard)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(document())

    @app.get("/docs", include_in_schema=False, dependencies=guard)
    async def docs() -> HTMLResponse:
        # The document is inlined: a browser fetching /openapi.json itself would have
        # no token to send.
        return HTMLResponse(_SWAGGER_PAGE.replace("__SPEC__", json.dumps(document())))


_SWAGGER_PAGE = """<!doctype html>
<html><head><title>ivig-workflow ward events</title><meta charset="utf-8">
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({spec: __SPEC__, dom_id: "#swagger-ui"});</script>
</body></html>"""
