"""`POST /v1/events` and `/v1/events/batch`: our own ward-event JSON.

The raw body is read here rather than by FastAPI, so that a body which is not even JSON
still reaches the inbox and is kept with the reason.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.answers import answer_json, http_status
from ivig_workflow.api.auth import Caller, Context, Sender
from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.errors import invalid
from ivig_workflow.api.scopes import Forbidden, Principal, check_courses, known_centres
from ivig_workflow.service.received_messages import keep_message
from ivig_workflow.service.ward_events import Delivery, receive_events

MAX_BATCH = 500
router = APIRouter(prefix="/v1/events", tags=["ward events"])

_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "required": [
            "type", "course_id", "key", "occurred_at"]}}},
    }
}  # fmt: skip
_BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "array", "maxItems": MAX_BATCH,
                                                    "items": {"type": "object"}}}},
    }
}  # fmt: skip


@router.post(
    "",
    openapi_extra=_EVENT_BODY,
    responses={201: {"description": "applied"}, 200: {"description": "duplicate"},
               404: {"description": "unknown course"}, 409: {"description": "refused"},
               403: {"description": "the course is outside the token's centres"},
               413: {"description": "body over 64 KiB"}},
)  # fmt: skip
async def post_event(
    request: Request, sender: Sender, caller: Caller, context: Context
) -> JSONResponse:
    """One ward event, the same JSON as `ivig event --file`."""
    raw = (await request.body()).decode("utf-8", "replace")
    if not caller.everywhere:
        targets = [("course_id", course_id) for course_id in _course_ids(raw)]
        if known_centres([course_id for _, course_id in targets]):
            check_courses(caller, context.engine, targets)  # answered from memory
        else:
            await run_in_threadpool(check_courses, caller, context.engine, targets)
    answer = await asyncio.wrap_future(context.writer.submit(Delivery(raw, sender)))
    if answer.status == "refused":  # its answer reads the passage behind the state
        body = await run_in_threadpool(answer_json, answer, context.engine)
    else:
        body = answer_json(answer, context.engine)
    return JSONResponse(body, status_code=http_status(answer))


def _course_ids(raw: str) -> list[str]:
    """The course an event names, when it names one; a body that does not parse names
    none and goes on to be kept and answered as invalid."""
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    course_id = event.get("course_id") if isinstance(event, dict) else None
    return [course_id] if isinstance(course_id, str) else []


def _check_batch(items: list[Any], raw: str, caller: Principal, context: ApiContext) -> None:
    """Every event of the batch within the token's centres, or none is taken."""
    targets = [(f"[{n}].course_id", item["course_id"]) for n, item in enumerate(items)
               if isinstance(item, dict) and isinstance(item.get("course_id"), str)]  # fmt: skip
    try:
        check_courses(caller, context.engine, targets)
    except Forbidden as error:
        keep_message(raw, format="batch", outcome="refused", reason=f"forbidden: {error}",
                     engine=context.engine, now=context.now(), sender=caller.name)  # fmt: skip
        raise


def _batch(raw: str, context: ApiContext, sender: str, caller: Principal) -> JSONResponse:
    reason = None
    try:
        items = json.loads(raw)
    except ValueError as error:
        items, reason = None, f"is not valid JSON ({error})"
    if reason is None and not isinstance(items, list):
        reason = "must be a JSON array of ward events"
    if reason is None and isinstance(items, list) and len(items) > MAX_BATCH:
        reason = f"at most {MAX_BATCH} events, got {len(items)}"
    if reason is not None or not isinstance(items, list):
        keep_message(raw, format="batch", outcome="invalid", reason=f"body: {reason}",
                     engine=context.engine, now=context.now(), sender=sender)  # fmt: skip
        return invalid([{"field": "body", "rule": str(reason)}])
    _check_batch(items, raw, caller, context)
    deliveries = [Delivery(json.dumps(item), sender) for item in items]
    answers = receive_events(
        deliveries, engine=context.engine, rulebook=context.rulebook, now=context.now()
    )
    bodies = [{"http_status": http_status(a), **answer_json(a, context.engine)} for a in answers]
    return JSONResponse(bodies, status_code=200)


@router.post("/batch", openapi_extra=_BATCH_BODY,
             responses={403: {"description": "an event's course is outside the token's centres"}})
async def post_batch(
    request: Request, sender: Sender, caller: Caller, context: Context
) -> JSONResponse:
    """Up to 500 ward events, each answered on its own (`http_status` per item); 403 and
    none taken when one names a course outside the token's centres."""
    raw = (await request.body()).decode("utf-8", "replace")
    return await run_in_threadpool(_batch, raw, context, sender, caller)
