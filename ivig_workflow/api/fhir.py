"""`POST /v1/fhir`: a FHIR R4 MedicationAdministration or Observation, or a transaction
or batch Bundle of them, mapped onto ward events."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.answers import answer_json, http_status
from ivig_workflow.api.auth import Caller, Context
from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.hospital_messages import check_scope, deliver, keep, refuse
from ivig_workflow.api.scopes import Principal
from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.fhir import translate_fhir

router = APIRouter(tags=["hospital formats"])

_FHIR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object", "required": ["resourceType"]}},
        },
    }
}


def _refusal(error: InputError) -> JSONResponse:
    status = "unsupported" if isinstance(error, UnsupportedMessage) else "invalid"
    body = {"status": status, "errors": [{"field": error.field, "rule": error.rule}]}
    return JSONResponse(body, status_code=422)


def _receive(raw: str, context: ApiContext, caller: Principal) -> JSONResponse:
    sender = caller.name
    try:
        try:
            message = json.loads(raw)
        except ValueError as error:
            raise InputError("body", f"is not valid JSON ({error})") from None
        items = translate_fhir(message) if isinstance(message, dict) else None
        if items is None:
            raise InputError("body", "must be a JSON object (a FHIR resource)")
    except InputError as error:
        refuse(raw, "fhir", error.field, error.rule,
               unsupported=isinstance(error, UnsupportedMessage), context=context,
               sender=sender)  # fmt: skip
        return _refusal(error)
    check_scope(items, raw, "fhir", caller, context)
    answers = deliver(items, context, caller)
    keep(raw, "fhir", answers, context, sender)
    codes = {http_status(answer) for answer in answers}
    body = {"answers": [{"http_status": http_status(a), **answer_json(a, context.engine)}
                        for a in answers]}  # fmt: skip
    return JSONResponse(body, status_code=codes.pop() if len(codes) == 1 else 200)


@router.post("/v1/fhir", openapi_extra=_FHIR_BODY,
             responses={403: {"description": "a course is outside the token's centres"}})
async def post_fhir(request: Request, caller: Caller, context: Context) -> JSONResponse:
    """One status code when every event got the same answer, else 200; each answer says its own."""
    raw = (await request.body()).decode("utf-8", "replace")
    return await run_in_threadpool(_receive, raw, context, caller)
