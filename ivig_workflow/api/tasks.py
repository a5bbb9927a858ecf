"""`/v1/tasks`: the worklist, and closing a task with who and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ivig_workflow.api.auth import Caller, Context
from ivig_workflow.api.json_edge import refused_body
from ivig_workflow.api.paging import MAX_PAGE, page
from ivig_workflow.api.scopes import Forbidden, Principal, check_courses
from ivig_workflow.db.tables import WorkItemRow
from ivig_workflow.domain.course.effects import WorkItemStatus
from ivig_workflow.domain.plausible_dates import PlausibleInstant
from ivig_workflow.service.tasks import Closing, close_task
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.views import task_json, task_rows

router = APIRouter(prefix="/v1/tasks", tags=["tasks"], dependencies=[Depends(refused_body)])


def _iso_text(value: object) -> object:
    # pydantic would read "0" as 1970-01-01 UTC; a ward must write the instant out.
    if isinstance(value, str) and not value[:4].isdigit():
        raise ValueError("must be an ISO 8601 date and time with its offset")
    if isinstance(value, str) and len(value) < 16:
        raise ValueError("must be an ISO 8601 date and time with its offset")
    return value


class TaskClosing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="who did it, under the sending system",
    )
    reason: str | None = Field(default=None, max_length=2000)


class TaskCancelling(TaskClosing):
    # Required in the document; left to the service to refuse, in its own words
    # ("required: why the task is cancelled"), when missing or blank.
    model_config = ConfigDict(json_schema_extra=lambda schema: _reason_required(schema))


def _reason_required(schema: dict[str, Any]) -> None:
    schema["required"] = ["reason"]
    schema["properties"]["reason"] = {
        "type": "string",
        "minLength": 1,
        "maxLength": 2000,
        "pattern": r"\S",
        "description": "why the task is cancelled",
    }


@router.get("")
def list_tasks(
    request: Request,
    caller: Caller,
    context: Context,
    role: str | None = None,
    status: WorkItemStatus | None = None,
    due_before: Annotated[PlausibleInstant | None, BeforeValidator(_iso_text)] = None,
    course_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    with reading(context.engine) as session:
        rows = task_rows(
            session,
            course_id=course_id,
            status=status,
            role=role,
            due_before=due_before,
            limit=limit + 1,
            offset=offset,
            centres=caller.centres,
        )
        return page(request, [task_json(row) for row in rows], limit=limit, offset=offset)


def _check_task(task_id: int, caller: Principal, context: Any) -> None:
    """A scoped token closes tasks of its centres' courses only; operators' items (no
    course) need a token for every centre. A task that does not exist is answered 404."""
    if caller.everywhere:
        return
    with reading(context.engine) as session:
        task = session.get(WorkItemRow, task_id)
    if task is None:
        return
    if task.course_id is None:
        allowed = ", ".join(sorted(caller.centres or ()))
        rule = (
            f"task {task_id} belongs to no course; token {caller.name!r} may act for {allowed} only"
        )
        raise Forbidden([{"field": "task_id", "rule": rule}])
    check_courses(caller, context.engine, [("task_id", task.course_id)])


def _close(
    task_id: int, outcome: Closing, closing: TaskClosing, caller: Principal, context: Any
) -> dict[str, Any]:
    _check_task(task_id, caller, context)
    sender = caller.name
    task = close_task(
        task_id,
        outcome=outcome,
        by=sender if closing.by is None else f"{sender}/{closing.by}",
        reason=closing.reason,
        engine=context.engine,
        now=context.now(),
    )
    return task_json(task)


_CLOSE_ANSWERS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the task's course is outside the token's centres"},
    404: {"description": "no such task"},
    409: {"description": "the task is closed already"},
}


@router.post("/{task_id}/complete", responses=_CLOSE_ANSWERS)
def complete_task(
    task_id: Annotated[int, Path(ge=1, le=2**31)],
    closing: TaskClosing,
    caller: Caller,
    context: Context,
) -> dict[str, Any]:
    return _close(task_id, "done", closing, caller, context)


@router.post("/{task_id}/cancel", responses=_CLOSE_ANSWERS)
def cancel_task(
    task_id: Annotated[int, Path(ge=1, le=2**31)],
    closing: TaskCancelling,
    caller: Caller,
    context: Context,
) -> dict[str, Any]:
    """Cancel an open task; `reason` is required."""
    return _close(task_id, "cancelled", closing, caller, context)
