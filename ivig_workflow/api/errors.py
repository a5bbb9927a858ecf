"""One shape for every refusal: `status`, `reason`, and `errors [{field, rule}]` in words,
as the CLI says them; 503 tells contention (`busy`) from a failing database
(`unavailable`, with the cause)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ivig_workflow.api.body_limit import BodyTooLarge, too_large_body
from ivig_workflow.api.request_body import BodyRefused
from ivig_workflow.db.availability import DatabaseUnavailable, note_failure, unavailable_cause
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.rule_words import rule_words
from ivig_workflow.service.tasks import TaskAlreadyClosed, TaskNotFound
from ivig_workflow.service.ward_events import ConcurrentWriters

log = logging.getLogger("ivig_workflow.api")
RETRY_UNAVAILABLE_S = 5
_HTTP_STATUS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
}


def refusal(
    errors: list[dict[str, str]], *, status: str = "invalid", status_code: int = 422
) -> JSONResponse:
    reason = "; ".join(f"{e['field']}: {e['rule']}" for e in errors)
    body = {"status": status, "reason": reason, "errors": errors}
    return JSONResponse(body, status_code=status_code)


def invalid(errors: list[dict[str, str]]) -> JSONResponse:
    return refusal(errors)


def refused_body(error: BodyRefused) -> JSONResponse:
    errors = [{"field": error.field, "rule": error.rule}]
    return refusal(errors, status=error.status, status_code=error.status_code)


def unavailable(cause: str) -> JSONResponse:
    body = {
        "status": "unavailable",
        "reason": cause,
        "detail": "the database cannot take this now; nothing was stored, send it again",
    }
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_UNAVAILABLE_S)})


def field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    found = []
    for item in error.errors():
        if item.get("type") == "json_invalid":  # FastAPI puts the character offset in loc
            at = [part for part in item.get("loc", ()) if isinstance(part, int)]
            detail = (item.get("ctx") or {}).get("error", "")
            where = f" at character {at[0]}" if at else ""
            found.append({"field": "body", "rule": f"is not valid JSON: {detail}{where}"})
            continue
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        found.append({"field": ".".join(location) or "body", "rule": rule_words(item)})
    return found


def _allowed(request: Request) -> list[str]:
    """Every method some route serves on this path (GET and POST /v1/courses are two)."""
    methods: set[str] = set()
    for route in request.app.routes:
        for method in getattr(route, "methods", None) or ():
            found, _ = route.matches({**request.scope, "method": method})
            if found == Match.FULL:
                methods.add(method)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return invalid(field_errors(error))

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        # 401, 404, 405 and the like: the usual shape, `detail` kept for older clients.
        assert isinstance(error, HTTPException)
        status = _HTTP_STATUS.get(error.status_code, "refused")
        body = {"status": status, "reason": str(error.detail), "detail": error.detail}
        headers = dict(error.headers or {})
        if error.status_code == 405:  # Starlette names only the first matching route's
            headers["Allow"] = ", ".join(_allowed(request))
        return JSONResponse(body, status_code=error.status_code, headers=headers)

    async def on_refused_body(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BodyRefused)
        return refused_body(error)

    async def on_unavailable(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DatabaseUnavailable)
        return unavailable(error.cause)

    async def on_database_error(request: Request, error: Exception) -> JSONResponse:
        # Reached from reads and token checks too, not only from ward events.
        assert isinstance(error, DBAPIError)
        engine = request.app.state.ivig.engine
        cause = unavailable_cause(error, engine)
        if cause is not None:
            note_failure(engine, cause)
            return unavailable(cause)
        if isinstance(error, OperationalError):  # a lock or a serialization failure
            return await on_busy(request, error)
        log.exception("database error on %s %s", request.method, request.url.path)
        return JSONResponse({"status": "error", "reason": "internal database error"}, 500)

    async def on_input(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, InputError)
        return invalid([{"field": error.field, "rule": error.rule}])

    async def on_too_large(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BodyTooLarge)
        return JSONResponse(too_large_body(error.max_bytes), status_code=413)

    async def on_busy(_: Request, error: Exception) -> JSONResponse:
        # The same key can be sent again safely: the inbox makes it apply once.
        reason = str(error) if isinstance(error, ConcurrentWriters) else "the database is locked"
        body: dict[str, Any] = {"status": "busy", "reason": reason, "detail": reason}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    async def on_missing_task(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"status": "not_found", "detail": str(error)}, status_code=404)

    async def on_closed_task(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"status": "closed", "detail": str(error)}, status_code=409)

    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(InputError, on_input)
    app.add_exception_handler(BodyTooLarge, on_too_large)
    app.add_exception_handler(ConcurrentWriters, on_busy)
    app.add_exception_handler(BodyRefused, on_refused_body)
    app.add_exception_handler(DatabaseUnavailable, on_unavailable)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(TaskNotFound, on_missing_task)
    app.add_exception_handler(TaskAlreadyClosed, on_closed_task)
