"""Bearer-token authentication and the token's scope: the token's name is the sender of
what follows; its role and centres say what it may do (see `scopes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.context import ApiContext, api_context
from ivig_workflow.api.scopes import Forbidden, Principal

bearer = HTTPBearer(auto_error=False, description="A token from `ivig token create NAME`.")
_READING = ("GET", "HEAD", "OPTIONS")


async def authenticated_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    context: Annotated[ApiContext, Depends(api_context)],
) -> Principal:
    principal = None
    if credentials is not None:
        # A configured token is known without I/O; one issued by `ivig token create`
        # is looked up in the database, off the event loop.
        principal = context.tokens.configured_principal(credentials.credentials)
        if principal is None:
            principal = await run_in_threadpool(
                context.tokens.principal, credentials.credentials, context.now()
            )
    if principal is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in _READING and not principal.may_write():
        raise Forbidden(
            [
                {
                    "field": "token",
                    "rule": f"token {principal.name!r} has role "
                    f"{principal.role!r}, which may only read (GET)",
                }
            ]
        )
    return principal


async def authenticated_sender(caller: Annotated[Principal, Depends(authenticated_caller)]) -> str:
    return caller.name


Caller = Annotated[Principal, Depends(authenticated_caller)]
Sender = Annotated[str, Depends(authenticated_sender)]
Context = Annotated[ApiContext, Depends(api_context)]
