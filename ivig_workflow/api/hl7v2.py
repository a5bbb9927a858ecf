"""`POST /v1/hl7v2`: an HL7 v2 ADT message (MLLP framing optional), answered with an ACK.

AA when the measurements reached the patient's open courses (or were there already),
AE with the reason when the message or an event was refused, AR for a message type we
do not take. The ACK is framed when the message was.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.answers import http_status
from ivig_workflow.api.auth import Caller, Context
from ivig_workflow.api.body_limit import MAX_BODY_BYTES, cut_off, too_large_body
from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.hospital_messages import deliver, keep, refuse
from ivig_workflow.api.request_body import kept_text, too_large
from ivig_workflow.api.scopes import Principal
from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.hl7v2 import (
    build_ack,
    frame_mllp,
    refusal_ack,
    translate_hl7v2,
    unframe_mllp,
)
from ivig_workflow.formats.hl7v2_message import START_BLOCK

router = APIRouter(tags=["hospital formats"])
MEDIA_TYPE = "x-application/hl7-v2+er7"

_HL7_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "x-application/hl7-v2+er7": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


def _receive(raw: str, context: ApiContext, caller: Principal) -> Response:
    sender = caller.name
    framed = raw.lstrip(" \t\r\n").startswith(START_BLOCK)
    now = context.now()
    message = raw
    try:
        message = unframe_mllp(raw)
        zone = context.rulebook.centres.centre(None).zone
        observation = translate_hl7v2(message, zone)
    except InputError as error:
        unsupported = isinstance(error, UnsupportedMessage)
        refuse(
            raw,
            "hl7v2",
            error.field,
            error.rule,
            unsupported=unsupported,
            context=context,
            sender=sender,
        )
        ack, code = refusal_ack(message, error, now=now), 422
    else:
        # A patient observation reaches only the open courses the token's centres cover.
        answers = deliver([observation], context, caller)
        keep(raw, "hl7v2", answers, context, sender)
        refused = [a for a in answers if a.status not in ("applied", "duplicate")]
        if refused:
            reason = "; ".join(f"{a.course_id or a.key}: {a.reason}" for a in refused)
            ack, code = build_ack(message, "AE", reason, now=now), http_status(refused[0])
        else:
            ack, code = build_ack(message, "AA", now=now), 200
    return Response(frame_mllp(ack) if framed else ack, status_code=code, media_type=MEDIA_TYPE)


_ACK = {"content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}
_ACKS: dict[int | str, dict[str, Any]] = {
    200: {"description": "AA: taken", **_ACK},
    404: {"description": "AE: the patient has no open course", **_ACK},
    409: {"description": "AE: an event was refused by the course's state", **_ACK},
    422: {"description": "AE: a bad message, or AR: a message type not taken", **_ACK},
}


@router.post("/v1/hl7v2", openapi_extra=_HL7_BODY, response_class=Response, responses=_ACKS)
async def post_hl7v2(request: Request, caller: Caller, context: Context) -> Response:
    sender = caller.name
    # HL7 v2 feeds are not always UTF-8 (MSH-18 may name another set): read leniently,
    # the numbers we take are ASCII; NUL becomes U+FFFD so the message can be kept.
    raw = kept_text(await request.body())
    if cut_off(request.state):
        refused = too_large(MAX_BODY_BYTES)
        await run_in_threadpool(
            partial(
                refuse,
                raw,
                "hl7v2",
                refused.field,
                refused.rule,
                unsupported=False,
                context=context,
                sender=sender,
            )
        )
        return JSONResponse(too_large_body(MAX_BODY_BYTES), status_code=413)
    return await run_in_threadpool(_receive, raw, context, caller)
