"""`/v1/courses`: start a course, read one, list them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from ivig_workflow.api.auth import Caller, Context, Sender
from ivig_workflow.api.json_edge import refused_body
from ivig_workflow.api.paging import MAX_PAGE, page
from ivig_workflow.api.scopes import Forbidden, check_centre, outside
from ivig_workflow.domain.course.model import CourseState
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.views import course_list, course_view

router = APIRouter(prefix="/v1/courses", tags=["courses"], dependencies=[Depends(refused_body)])


_FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "the centre is outside the token's centres"}
}


@router.post(
    "", status_code=201, responses={422: {"description": "a field breaks a rule"}, **_FORBIDDEN}
)
def post_course(
    command: StartCourse, sender: Sender, caller: Caller, context: Context
) -> JSONResponse:
    """Start a course (the fields of `ivig course start`); the sender is its actor."""
    if not caller.everywhere:
        check_centre(caller, "centre", context.rulebook.centres.centre(command.centre).slug)
    actor = sender if command.actor is None else f"{sender}/{command.actor}"
    course = start_course(
        command.model_copy(update={"actor": actor}),
        engine=context.engine,
        rulebook=context.rulebook,
        now=context.now(),
    )
    view = course_view(context.engine, course.course_id)
    return JSONResponse(
        view, status_code=201, headers={"Location": f"/v1/courses/{course.course_id}"}
    )


@router.get("/{course_id}", responses={404: {"description": "no such course"}, **_FORBIDDEN})
def get_course(course_id: str, caller: Caller, context: Context) -> dict[str, Any]:
    """The JSON of `ivig course show --json`."""
    view = course_view(context.engine, course_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"course {course_id!r} does not exist")
    if not caller.covers(view["centre"]):
        raise Forbidden([outside(caller, "course_id", str(view["centre"]))])
    return view


@router.get("", responses=_FORBIDDEN)
def list_courses(
    request: Request,
    caller: Caller,
    context: Context,
    state: CourseState | None = None,
    indication: str | None = None,
    centre: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    """A scoped token sees its own centres' courses only."""
    if centre is not None:
        check_centre(caller, "centre", centre)
    rows = course_list(
        context.engine,
        state=state,
        indication=indication,
        centre=centre,
        limit=limit + 1,
        offset=offset,
        centres=caller.centres,
    )
    return page(request, rows, limit=limit, offset=offset)
