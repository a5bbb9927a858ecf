"""Ward events over HTTP: uvicorn on loopback in its own process, N concurrent clients.

The server gets the same injected clock as the service-layer run, and one bearer
token; clients share one queue of events, so each event is posted exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

TOKEN = "bench-token-not-a-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, at: str, port: int) -> None:
    """Runs in the server process."""
    import uvicorn

    from ivig_workflow.api.app import create_app
    from ivig_workflow.db.engine import ensure_schema

    now = datetime.fromisoformat(at)
    app = create_app(engine=ensure_schema(url), clock=lambda: now, tokens={"ward": TOKEN})
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _deliver(port: int, events: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for event in events:
        queue.put_nowait(json.dumps(event))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, limits=limits, timeout=60
    ) as client:

        async def one_client() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                t = time.perf_counter()
                for attempt in range(3):
                    try:
                        response = await client.post("/v1/events", content=body)
                        break
                    except httpx.TransportError:
                        # A ward system resends with the same key; the inbox makes it safe.
                        statuses["transport_error"] = statuses.get("transport_error", 0) + 1
                        if attempt == 2:
                            raise
                latencies.append(time.perf_counter() - t)
                status = str(response.json().get("status", response.status_code))
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - started
    return {"wall_s": wall, "latencies": latencies, "statuses": statuses}


def through_http(
    url: str, events: list[dict[str, Any]], clients: int, now: datetime
) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.http_ingest", url, now.isoformat(), str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the API server did not come up")
            time.sleep(0.2)
        return asyncio.run(_deliver(port, events, clients))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
