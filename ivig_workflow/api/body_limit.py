"""Bodies over 64 KiB are refused with 413 before anything reads them whole.

Checked twice: the declared Content-Length, and the bytes actually streamed (a chunked
body declares no length, and a sender may lie about it).

On the paths that keep what a ward sends (ward events, batches, FHIR, HL7 v2) the first
64 KiB are read and the rest is not: the route, once the token is checked, keeps that
cut body with the reason and answers 413 (`cut_off` tells it). Elsewhere nothing is kept,
and the 413 comes from here.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
KEEPING_PATHS = ("/v1/events", "/v1/events/batch", "/v1/fhir", "/v1/hl7v2")
_CUT = "ivig_body_cut"


def cut_off(state: object) -> bool:
    """True when the request's body was cut at the limit (`request.state`)."""
    return bool(getattr(state, _CUT, False))


class BodyTooLarge(Exception):
    """Raised while streaming; the app's exception handler answers 413 (see errors.py)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the body is over {max_bytes} bytes")
        self.max_bytes = max_bytes


def too_large_body(max_bytes: int) -> dict[str, object]:
    rule = f"is over {max_bytes} bytes"
    return {
        "status": "too_large",
        "reason": f"body: {rule}",
        "errors": [{"field": "body", "rule": rule}],
        "detail": f"the body is over {max_bytes} bytes",
    }


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if scope["path"] in KEEPING_PATHS and scope["method"] == "POST":
            await self._cutting(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _cutting(self, scope: Scope, receive: Receive, send: Send) -> None:
        received, ended = 0, False

        async def cutting_receive() -> Message:
            nonlocal received, ended
            if ended:  # the body is over, or cut: what is left unread stays unread
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk = message.get("body", b"")
            room = self.max_bytes - received
            if len(chunk) > room:
                scope.setdefault("state", {})[_CUT] = True
                chunk, ended = chunk[:room], True
                message = {"type": "http.request", "body": chunk, "more_body": False}
            received += len(chunk)
            ended = ended or not message.get("more_body", False)
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and cut_off_scope(scope):
                # The rest of the body was never read: this connection cannot carry another.
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"connection", b"close")],
                }
            await send(message)

        await self.app(scope, cutting_receive, closing_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(too_large_body(self.max_bytes)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def cut_off_scope(scope: Scope) -> bool:
    return bool(scope.get("state", {}).get(_CUT, False))
