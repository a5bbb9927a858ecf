"""`POST /v1/events` and `/v1/events/batch`: our own ward-event JSON.

The raw body is read here rather than by FastAPI, so that a body which is not even JSON
still reaches the inbox and is kept with the reason. It is parsed and validated here
too, in the request's own task, before it joins the group commit other wards share.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.answers import answer_json, http_status
from ivig_workflow.api.auth import Caller, Context, Sender
from ivig_workflow.api.body_limit import MAX_BODY_BYTES, cut_off
from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.errors import refused_body
from ivig_workflow.api.lean_route import LeanRoute
from ivig_workflow.api.request_body import (
    BodyRefused,
    check_storable,
    kept_text,
    read_json,
    too_large,
)
from ivig_workflow.api.scopes import Forbidden, Principal, check_courses, known_centres
from ivig_workflow.service.event_answers import Arrival, FieldError
from ivig_workflow.service.received_messages import keep_message
from ivig_workflow.service.ward_events import parsed_arrival, receive_events

MAX_BATCH = 500
PARSE_INLINE_BYTES = 8 * 1024  # larger bodies are parsed off the event loop
# Lean: the hot path, answered without FastAPI solving its dependencies per request.
router = APIRouter(prefix="/v1/events", tags=["ward events"], route_class=LeanRoute)

_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "course_id", "key", "occurred_at"],
                }
            }
        },
    }
}
_BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "maxItems": MAX_BATCH, "items": {"type": "object"}}
            }
        },
    }
}


@router.post(
    "",
    openapi_extra=_EVENT_BODY,
    responses={
        201: {"description": "applied"},
        200: {"description": "duplicate"},
        404: {"description": "unknown course"},
        409: {"description": "refused"},
        403: {"description": "the course is outside the token's centres"},
        413: {"description": "body over 64 KiB"},
    },
)
async def post_event(
    request: Request, sender: Sender, caller: Caller, context: Context
) -> JSONResponse:
    """One ward event, the same JSON as `ivig event --file`."""
    raw, content_type = await request.body(), request.headers.get("content-type")
    cut = cut_off(request.state)
    if len(raw) <= PARSE_INLINE_BYTES:
        arrival, refused_with = edge_arrival(raw, content_type, sender, cut=cut)
    else:
        arrival, refused_with = await run_in_threadpool(
            partial(edge_arrival, raw, content_type, sender, cut=cut)
        )
    if not caller.everywhere and arrival.event is not None:
        targets = [("course_id", arrival.event.course_id)]
        if known_centres([arrival.event.course_id]):
            check_courses(caller, context.engine, targets)  # answered from memory
        else:
            await run_in_threadpool(check_courses, caller, context.engine, targets)
    answer = await asyncio.wrap_future(context.writer.submit(arrival))
    if answer.status == "refused":  # its answer reads the passage behind the state
        body = await run_in_threadpool(answer_json, answer, context.engine)
    else:
        body = answer_json(answer, context.engine)
    if refused_with is not None and answer.status == "invalid":  # kept; answered 413 or 415
        body["status"] = refused_with.status
        return JSONResponse(body, status_code=refused_with.status_code)
    return JSONResponse(body, status_code=http_status(answer))


def edge_arrival(
    raw: bytes, content_type: str | None, sender: str, *, cut: bool = False
) -> tuple[Arrival, BodyRefused | None]:
    """The body read and validated on its own; a refused one is still kept (as text)."""
    text = kept_text(raw)
    try:
        if cut:
            raise too_large(MAX_BODY_BYTES)
        value = read_json(raw, content_type)
    except BodyRefused as refused:
        error = FieldError(field=refused.field, rule=refused.rule)
        return Arrival(text, sender, None, error), refused
    return parsed_arrival(text, value, sender), None


def _check_batch(items: list[Any], raw: str, caller: Principal, context: ApiContext) -> None:
    """Every event of the batch within the token's centres, or none is taken."""
    targets = [
        (f"[{n}].course_id", item["course_id"])
        for n, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("course_id"), str)
    ]
    try:
        check_courses(caller, context.engine, targets)
    except Forbidden as error:
        keep_message(
            raw,
            format="batch",
            outcome="refused",
            reason=f"forbidden: {error}",
            engine=context.engine,
            now=context.now(),
            sender=caller.name,
        )
        raise


def _batch(
    raw: bytes,
    content_type: str | None,
    context: ApiContext,
    caller: Principal,
    sender: str,
    cut: bool = False,
) -> JSONResponse:
    refused = None
    try:
        if cut:
            raise too_large(MAX_BODY_BYTES)
        items = read_json(raw, content_type, storable=False)
    except BodyRefused as error:
        items, refused = None, error
    if refused is None and not isinstance(items, list):
        refused = BodyRefused(422, "body", "must be a JSON array of ward events")
    if refused is None and isinstance(items, list) and len(items) > MAX_BATCH:
        refused = BodyRefused(422, "body", f"at most {MAX_BATCH} events, got {len(items)}")
    if refused is not None or not isinstance(items, list):
        assert refused is not None
        keep_message(
            kept_text(raw),
            format="batch",
            outcome="invalid",
            reason=str(refused),
            engine=context.engine,
            now=context.now(),
            sender=sender,
        )
        return refused_body(refused)
    _check_batch(items, kept_text(raw), caller, context)
    arrivals = [_item_arrival(item, sender) for item in items]
    answers = receive_events(
        arrivals, engine=context.engine, rulebook=context.rulebook, now=context.now()
    )
    bodies = [{"http_status": http_status(a), **answer_json(a, context.engine)} for a in answers]
    return JSONResponse(bodies, status_code=200)


def _item_arrival(item: Any, sender: str) -> Arrival:
    text = kept_text(json.dumps(item).encode("utf-8", "replace"))
    try:
        check_storable(item)
    except BodyRefused as refused:  # this item only: the others in the batch still apply
        return Arrival(text, sender, None, FieldError(field=refused.field, rule=refused.rule))
    return parsed_arrival(text, item, sender)


@router.post(
    "/batch",
    openapi_extra=_BATCH_BODY,
    responses={403: {"description": "an event's course is outside the token's centres"}},
)
async def post_batch(
    request: Request, sender: Sender, caller: Caller, context: Context
) -> JSONResponse:
    """Up to 500 ward events, each answered on its own (`http_status` per item); 403 and
    none taken when one names a course outside the token's centres."""
    raw, content_type = await request.body(), request.headers.get("content-type")
    return await run_in_threadpool(
        _batch, raw, content_type, context, caller, sender, cut_off(request.state)
    )
