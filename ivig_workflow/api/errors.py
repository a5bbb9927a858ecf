"""One shape for every refusal: 422 names each field and rule, as the CLI does."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ivig_workflow.api.body_limit import BodyTooLarge, too_large_body
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.tasks import TaskAlreadyClosed, TaskNotFound
from ivig_workflow.service.ward_events import ConcurrentWriters


def invalid(errors: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse({"status": "invalid", "errors": errors}, status_code=422)


def field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    found = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        rule = str(item.get("msg", ""))
        if item.get("type") == "string_pattern_mismatch":
            # The rule in words rather than the regular expression behind it.
            rule = "may hold only letters, digits and . _ : - (a letter or digit first)"
        found.append({"field": ".".join(location) or "body", "rule": rule})
    return found


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return invalid(field_errors(error))

    async def on_input(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, InputError)
        return invalid([{"field": error.field, "rule": error.rule}])

    async def on_too_large(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BodyTooLarge)
        return JSONResponse(too_large_body(error.max_bytes), status_code=413)

    async def on_busy(_: Request, error: Exception) -> JSONResponse:
        # The same key can be sent again safely: the inbox makes it apply once.
        body: dict[str, Any] = {"status": "busy", "detail": str(error)}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    async def on_missing_task(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"status": "not_found", "detail": str(error)}, status_code=404)

    async def on_closed_task(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"status": "closed", "detail": str(error)}, status_code=409)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(InputError, on_input)
    app.add_exception_handler(BodyTooLarge, on_too_large)
    app.add_exception_handler(ConcurrentWriters, on_busy)
    app.add_exception_handler(TaskNotFound, on_missing_task)
    app.add_exception_handler(TaskAlreadyClosed, on_closed_task)
