"""Bearer-token authentication: the token's name is the sender of what follows."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ivig_workflow.api.context import ApiContext, api_context

_bearer = HTTPBearer(auto_error=False, description="A token from `ivig token create NAME`.")


async def authenticated_sender(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    context: Annotated[ApiContext, Depends(api_context)],
) -> str:
    sender = None
    if credentials is not None:
        # A configured token is known without I/O; one issued by `ivig token create`
        # is looked up in the database, off the event loop.
        sender = context.tokens.configured_sender(credentials.credentials)
        if sender is None:
            sender = await run_in_threadpool(context.tokens.sender, credentials.credentials)
    if sender is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return sender


Sender = Annotated[str, Depends(authenticated_sender)]
Context = Annotated[ApiContext, Depends(api_context)]
