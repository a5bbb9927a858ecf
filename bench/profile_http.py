"""cProfile of the HTTP ingest server under 32 clients: the event loop's thread (HTTP,
routing, answers) and the group-commit writer's thread, each on its own. Output kept in
results/profile-http.txt.

    .venv/bin/python -m bench.profile_http [--courses 200] [--clients 32] [--lines 30]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import percentile
from bench.http_ingest import _deliver, _free_port, event_request
from bench.ingest import NOW, prepare

REPO = Path(__file__).resolve().parent.parent


def serve_profiled(url: str, at: str, port: int, out: str, lines: int) -> None:
    """Runs in the server process: both threads profiled until SIGINT."""
    from ivig_workflow.service import group_commit

    writer = cProfile.Profile()
    apply = group_commit.GroupCommit._apply

    def profiled_apply(self: Any, waiting: Any) -> None:
        writer.enable()
        try:
            apply(self, waiting)
        finally:
            writer.disable()

    group_commit.GroupCommit._apply = profiled_apply  # type: ignore[method-assign]
    from bench.http_ingest import serve

    loop = cProfile.Profile()
    loop.enable()
    try:
        serve(url, at, port)
    finally:
        loop.disable()
        with open(out, "w") as report:
            threads = (("event loop thread", loop, "tottime"), ("writer thread", writer, "cumtime"))
            for name, profile, order in threads:
                text = io.StringIO()
                stats = pstats.Stats(profile, stream=text).sort_stats(order)
                stats.print_stats(lines)
                report.write(f"## {name}\n{text.getvalue()}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ivig-profile-"))
    url = f"sqlite:///{folder / 'http.sqlite3'}"
    requests = [event_request(event) for event in prepare(url, args.courses)]
    port, out = _free_port(), folder / "profile.txt"
    code = (
        "import sys; from bench.profile_http import serve_profiled; "
        "serve_profiled(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))"
    )
    command = [sys.executable, "-c", code, url, NOW.isoformat(), str(port), str(out)]
    server = subprocess.Popen([*command, str(args.lines)], cwd=REPO)
    try:
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(_deliver(port, requests[: args.clients], args.clients))
        result = asyncio.run(_deliver(port, requests[args.clients :], args.clients))
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn stops; the profiles are written
        server.wait(timeout=60)
    latencies = result["latencies"]
    print(
        f"# {len(latencies)} events over HTTP, {args.clients} clients, profiled: "
        f"{len(latencies) / result['wall_s']:.0f} events/s, "
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms"
    )
    print(out.read_text())


if __name__ == "__main__":
    main()
