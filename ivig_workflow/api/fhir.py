"""`POST /v1/fhir`: a FHIR R4 MedicationAdministration or Observation, or a transaction
or batch Bundle of them, mapped onto ward events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.answers import answer_json, http_status
from ivig_workflow.api.auth import Caller, Context
from ivig_workflow.api.body_limit import MAX_BODY_BYTES, cut_off
from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.hospital_messages import check_scope, deliver, keep, refuse
from ivig_workflow.api.request_body import BodyRefused, kept_text, read_json, too_large
from ivig_workflow.api.scopes import Principal
from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir import translate_fhir

router = APIRouter(tags=["hospital formats"])
FHIR_MEDIA_TYPE = "application/fhir+json or application/json"

_FHIR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object", "required": ["resourceType"]}},
        },
    }
}


def _refusal(error: InputError, status_code: int = 422) -> JSONResponse:
    status = "unsupported" if isinstance(error, UnsupportedMessage) else "invalid"
    if status_code in (413, 415):
        status = "too_large" if status_code == 413 else "unsupported_media_type"
    errors = [{"field": error.field, "rule": error.rule}]
    body = {"status": status, "reason": f"{error.field}: {error.rule}", "errors": errors}
    return JSONResponse(body, status_code=status_code)


def _receive(
    body: bytes, content_type: str | None, context: ApiContext, caller: Principal, cut: bool = False
) -> JSONResponse:
    raw, status_code, sender = kept_text(body), 422, caller.name
    try:
        try:
            if cut:
                raise too_large(MAX_BODY_BYTES)
            message = read_json(body, content_type, FHIR_MEDIA_TYPE)
        except BodyRefused as refused:
            status_code = refused.status_code
            raise InputError(refused.field, refused.rule) from None
        items = translate_fhir(message) if isinstance(message, dict) else None
        if items is None:
            raise InputError("body", "must be a JSON object (a FHIR resource)")
    except InputError as error:
        refuse(
            raw,
            "fhir",
            error.field,
            error.rule,
            unsupported=isinstance(error, UnsupportedMessage),
            context=context,
            sender=sender,
        )
        return _refusal(error, status_code)
    check_scope(items, raw, "fhir", caller, context)
    answers = deliver(items, context, caller)
    keep(raw, "fhir", answers, context, sender)
    codes = {http_status(answer) for answer in answers}
    answered = {
        "answers": [
            {"http_status": http_status(a), **answer_json(a, context.engine)} for a in answers
        ]
    }
    return JSONResponse(answered, status_code=codes.pop() if len(codes) == 1 else 200)


_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "answers that differ, or all duplicates"},
    201: {"description": "every event applied"},
    403: {"description": "a course is outside the token's centres"},
    404: {"description": "no such course, or the patient has no open course"},
    409: {"description": "every event refused by its course's state"},
    422: {"description": "invalid, or `unsupported` (a resource type not taken)"},
}


@router.post("/v1/fhir", openapi_extra=_FHIR_BODY, responses=_ANSWERS)
async def post_fhir(request: Request, caller: Caller, context: Context) -> JSONResponse:
    """One status code when every event got the same answer, else 200; each answer says its own."""
    body, content_type = await request.body(), request.headers.get("content-type")
    return await run_in_threadpool(
        _receive, body, content_type, context, caller, cut_off(request.state)
    )
