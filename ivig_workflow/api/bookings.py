"""`/v1/bookings`: a centre's chair bookings between two dates, a page at a time."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from ivig_workflow.api.auth import Context, Sender
from ivig_workflow.api.paging import MAX_PAGE, page
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.scheduling.views import booking_json, booking_rows
from ivig_workflow.service.unit_of_work import reading

router = APIRouter(prefix="/v1/bookings", tags=["bookings"])


@router.get("", responses={404: {"description": "No such centre"}})
def list_bookings(
    request: Request,
    _: Sender,
    context: Context,
    centre: Annotated[str, Query(min_length=1, max_length=64)],
    from_: Annotated[date, Query(alias="from")],
    to: date,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    """Booked chairs by date, chair and start time; course ids only, never a patient."""
    try:
        slug = context.rulebook.centres.centre(centre).slug
    except InputError as error:
        raise HTTPException(404, f"centre: {error.rule}") from None
    if to < from_:
        raise HTTPException(422, "to: must not be before from")
    with reading(context.engine) as session:
        rows = booking_rows(session, slug, from_, to, limit=limit + 1, offset=offset)
        return page(request, [booking_json(row) for row in rows], limit=limit, offset=offset)
