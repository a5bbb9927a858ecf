"""`/healthz` (the process answers) and `/readyz` (the database takes a write, schema current)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from ivig_workflow.api.auth import Context, Sender
from ivig_workflow.db.availability import note_failure, unavailable_cause
from ivig_workflow.db.engine import schema_is_current
from ivig_workflow.service.readiness import take_a_write

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database takes no write or is behind"}})
def readyz(_: Sender, context: Context) -> JSONResponse:
    try:
        current = schema_is_current(context.engine)
        if current:
            take_a_write(context.engine)
    except SQLAlchemyError as error:
        detail = (str(getattr(error, "orig", None) or error).splitlines() or [""])[0]
        cause = unavailable_cause(error, context.engine) or detail
        note_failure(context.engine, cause)
        body = {"status": "unavailable", "reason": cause, "database": detail}
        return JSONResponse(body, status_code=503)
    if not current:
        body = {
            "status": "unavailable",
            "reason": "the schema is behind the code",
            "schema": "behind the code",
        }
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ready", "database": "takes writes", "schema": "current"})
