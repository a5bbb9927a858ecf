"""The edge checks of `request_body` for the bodies FastAPI itself parses (courses, tasks).

FastAPI would read a `text/plain` body as bytes and say "should be a valid dictionary",
give 400 in another shape for bytes that are not UTF-8, and recurse into 30,000 `[`.
The body is checked as it streams in; a refusal is noted on the request and answered by
the routers' `refused_body` dependency, which runs after the token check: a request
without a valid token gets 401 whatever its body. A body that declares no Content-Type
is read as JSON. The event and hospital-format routes check their own bodies, because
they keep what they refuse.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ivig_workflow.api.auth import Sender
from ivig_workflow.api.request_body import (
    JSON_MEDIA_TYPE,
    BodyRefused,
    check_depth,
    check_media_type,
    utf8_text,
)

CHECKED_PREFIXES = ("/v1/courses", "/v1/tasks")
_REFUSED = "ivig_refused_body"
_WITH_BODY = ("POST", "PUT", "PATCH")


class JsonEdge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _WITH_BODY
            or not scope["path"].startswith(CHECKED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:  # BodyLimit, outside this, has bounded the size already
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: let the app see it
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = dict(scope["headers"])
        if body and b"content-type" not in headers:
            scope = {
                **scope,
                "headers": [*scope["headers"], (b"content-type", JSON_MEDIA_TYPE.encode())],
            }
        elif body:
            try:
                check_media_type(headers[b"content-type"].decode("latin-1"))
                check_depth(utf8_text(body))
            except BodyRefused as refused:
                scope.setdefault("state", {})[_REFUSED] = refused
                body = b"{}"  # FastAPI parses this harmlessly; the refusal answers
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def refused_body(request: Request, _: Sender) -> None:
    """A router dependency: raise the edge's refusal, once the sender is known."""
    refused = getattr(request.state, _REFUSED, None)
    if isinstance(refused, BodyRefused):
        raise refused
