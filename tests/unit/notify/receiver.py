"""A real HTTP receiver on 127.0.0.1 for the webhook and Apprise tests.

It does what a ward system should: checks the signature and the timestamp's age,
and deduplicates on X-IVIG-Delivery. It can be told to fail with given statuses
first, or to answer slowly, to exercise retries.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ivig_workflow.notify.sinks.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)


@dataclass
class Receiver:
    secret: str | None = None
    fail_with: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    url: str = ""
    requests: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests += 1
            if self.fail_with:
                return self.fail_with.pop(0)
            if self.secret is not None and not verify_signature(
                self.secret,
                headers.get(TIMESTAMP_HEADER, ""),
                body,
                headers.get(SIGNATURE_HEADER, ""),
                tolerance_s=300,
            ):
                return 401
            delivery = headers.get(DELIVERY_HEADER)
            if delivery is not None and delivery in self.seen:
                return 200  # a duplicate: acknowledged, not applied twice
            if delivery is not None:
                self.seen.add(delivery)
            self.accepted.append(json.loads(body))
            self.headers.append(headers)
            return 200


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if receiver.delay_s:
                time.sleep(receiver.delay_s)
            status = receiver.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
