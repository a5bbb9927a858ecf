"""Bodies over 64 KiB are refused with 413 before anything reads them whole.

Checked twice: the declared Content-Length, and the bytes actually streamed (a chunked
body declares no length, and a sender may lie about it).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """Raised while streaming; the app's exception handler answers 413 (see errors.py)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the body is over {max_bytes} bytes")
        self.max_bytes = max_bytes


def too_large_body(max_bytes: int) -> dict[str, object]:
    rule = f"is over {max_bytes} bytes"
    return {"status": "too_large", "reason": f"body: {rule}",
            "errors": [{"field": "body", "rule": rule}],
            "detail": f"the body is over {max_bytes} bytes"}  # fmt: skip


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
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
