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
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

TOKEN = "bench-token-not-a-secret"


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its live descendants, from /proc (Linux);
    0 elsewhere. Children that ended are counted in their parent's figures."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += server_cpu_s(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, at: str, port: int, workers: int = 1, writer_process: bool = False) -> None:
    """Runs in the server process. With `workers` > 1, uvicorn's own supervisor starts that
    many API processes on the one port, as `ivig serve --api-workers N` does; with
    `writer_process`, the group commit writes from a process of its own."""
    import uvicorn

    if writer_process:
        os.environ["BENCH_HTTP_WRITER_PROCESS"] = "1"

    if workers > 1:
        os.environ.update({"BENCH_HTTP_URL": url, "BENCH_HTTP_AT": at})
        uvicorn.run(
            "bench.http_ingest:bench_app",
            factory=True,
            host="127.0.0.1",
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
            timeout_worker_healthcheck=60,
        )
        return
    uvicorn.run(_app(url, at), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _app(url: str, at: str) -> Any:
    from ivig_workflow.api.app import create_app
    from ivig_workflow.db.engine import ensure_schema

    now = datetime.fromisoformat(at)
    return create_app(
        engine=ensure_schema(url),
        clock=lambda: now,
        tokens={"ward": TOKEN},
        writer_process=os.environ.get("BENCH_HTTP_WRITER_PROCESS") == "1",
    )


def bench_app() -> Any:
    """The factory each API process calls (`serve` with workers > 1); each says it is up
    in the folder BENCH_HTTP_READY, so that timing starts when all of them serve."""
    app = _app(os.environ["BENCH_HTTP_URL"], os.environ["BENCH_HTTP_AT"])
    (Path(os.environ["BENCH_HTTP_READY"]) / str(os.getpid())).touch()
    return app


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """One request on a kept-alive connection: status and body."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")
    )
    return status, await reader.readexactly(length)


def event_request(event: dict[str, Any]) -> bytes:
    body = json.dumps(event).encode()
    return (
        b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


# The floor under the same load: what uvicorn and FastAPI take to answer at all.
HEALTH_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def _deliver(port: int, requests: list[bytes], clients: int) -> dict[str, Any]:
    """Each client a kept-alive HTTP/1.1 connection sending one request at a time, written
    by hand: httpx spent ~7 ms of CPU a request, so it, not the server, was measured."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    statuses: dict[str, int] = {}

    async def one_client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                request = queue.get_nowait()
                t = time.perf_counter()
                code, body = await _post(reader, writer, request)
                latencies.append(time.perf_counter() - t)
                status = str(json.loads(body).get("status", code))
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return {"wall_s": wall, "latencies": latencies, "statuses": statuses}


def through_http(
    url: str,
    events: list[dict[str, Any]],
    clients: int,
    now: datetime,
    workers: int = 1,
    writer_process: bool = False,
) -> dict[str, Any]:
    port, ready = _free_port(), Path(tempfile.mkdtemp(prefix="ivig-http-ready-"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.http_ingest",
            url,
            now.isoformat(),
            str(port),
            str(workers),
            "writer-process" if writer_process else "thread",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "BENCH_HTTP_READY": str(ready)},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                up = workers == 1 or len(list(ready.iterdir())) == workers
                if (
                    up
                    and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500
                ):
                    time.sleep(0.5 if workers > 1 else 0)  # the last one's socket loop starting
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the API server did not come up")
            time.sleep(0.2)
        # The first `clients` events, untimed, warm the server as a running centre's
        # would be (connections, compiled statements); the rest are measured.
        requests = [event_request(event) for event in events]
        asyncio.run(_deliver(port, requests[:clients], clients))
        spent = server_cpu_s(server.pid)
        result = asyncio.run(_deliver(port, requests[clients:], clients))
        result["cpu_ms_per_event"] = (
            (server_cpu_s(server.pid) - spent) * 1000 / (len(requests) - clients)
        )
        floor = asyncio.run(_deliver(port, [HEALTH_REQUEST] * len(requests), clients))
        return {**result, "floor": floor, "workers": workers, "writer_process": writer_process}
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    serve(sys.argv[1], sys.argv[2], int(sys.argv[3]), workers, sys.argv[5:] == ["writer-process"])
