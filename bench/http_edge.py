"""CPU of the HTTP edge alone: `POST /v1/events` called in-process as ASGI, the group
commit stubbed to answer at once, against `GET /healthz` in the same process.

    .venv/bin/python -m bench.http_edge [--requests 3000] [--profile]

No sockets, no writer: what routing, authentication, parsing and validating the body and
building the answer cost per request. The ratio event/healthz is the figure to compare
(the machine's load inflates both alike).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from bench.http_ingest import TOKEN
from bench.ingest import NOW, prepare
from ivig_workflow.api.app import create_app
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service import group_commit
from ivig_workflow.service.event_answers import Arrival, EventAnswer


def _answer_at_once(_: Any, arrival: Arrival) -> Future[EventAnswer]:
    future: Future[EventAnswer] = Future()
    event = arrival.event
    assert event is not None
    future.set_result(
        EventAnswer(status="applied", key=event.key, course_id=event.course_id, type=event.type)
    )
    return future


def _scope(method: str, path: str, body: bytes | None) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1")]
    if body is not None:
        headers += [
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


async def _measure(app: Any, bodies: list[bytes], n: int, profile: bool) -> tuple[float, float]:
    async def call(method: str, path: str, body: bytes | None = None) -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body or b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(_scope(method, path, body), receive, send)
        return int(sent[0]["status"])

    for body in bodies[:50]:  # warm
        assert await call("POST", "/v1/events", body) == 201
    started = time.perf_counter()
    for _ in range(n):
        await call("GET", "/healthz")
    health = (time.perf_counter() - started) / n
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    for i in range(n):
        await call("POST", "/v1/events", bodies[i % len(bodies)])
    event = (time.perf_counter() - started) / n
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return health, event


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    group_commit.GroupCommit.submit = _answer_at_once  # type: ignore[method-assign,assignment]
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='ivig-edge-')) / 'edge.sqlite3'}"
    bodies = [json.dumps(event).encode() for event in prepare(url, 50)]
    app = create_app(engine=ensure_schema(url), clock=lambda: NOW, tokens={"ward": TOKEN})
    health, event = asyncio.run(_measure(app, bodies, args.requests, args.profile))
    print(
        f"GET /healthz {health * 1e6:.0f} us, POST /v1/events {event * 1e6:.0f} us "
        f"per request; event / healthz {event / health:.2f}"
    )


if __name__ == "__main__":
    main()
