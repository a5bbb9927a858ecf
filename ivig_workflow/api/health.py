"""`/healthz` (the process answers) and `/readyz` (database reachable, schema current)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from ivig_workflow.api.auth import Context, Sender
from ivig_workflow.db.engine import schema_is_current

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable or behind"}})
def readyz(_: Sender, context: Context) -> JSONResponse:
    try:
        current = schema_is_current(context.engine)
    except SQLAlchemyError as error:
        detail = (str(getattr(error, "orig", None) or error).splitlines() or [""])[0]
        return JSONResponse({"status": "unavailable", "database": detail}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "schema": "behind the code"}, 503)
    return JSONResponse({"status": "ready", "database": "reachable", "schema": "current"})
