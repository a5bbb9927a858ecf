"""The ward API in several processes on one port (`ivig serve --api-workers N`,
`ivig api --workers N`).

One process parses HTTP and runs its group commit's writers under one interpreter lock.
On PostgreSQL several API processes share the work, each with its own group commit,
and the database settles what they race for: the inbox's unique key answers a
redelivery `duplicate` whichever process took the first, and a course's version makes
the slower of two writers read the course again and retry (`ward_events`). uvicorn's
supervisor starts the processes on one listening socket, restarts one that dies, and
stops them all on Ctrl-C or SIGTERM. Each builds its app from the environment
(`app_from_environment`): the database, the tokens and the rulebook the parent uses.

On SQLite the processes take turns at the file's one writer: allowed, not the default.
"""

from __future__ import annotations

import uvicorn

from ivig_workflow.api.app import FACTORY


def serve_api_processes(host: str, port: int, workers: int, log_level: str = "warning") -> None:
    """Returns when the processes have stopped (Ctrl-C or SIGTERM to this one)."""
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        # Importing the app and migrating an embedded database can outlast uvicorn's
        # default 5 s health check on a busy machine.
        timeout_worker_healthcheck=60,
    )


def api_processes_note(workers: int, dialect: str) -> str:
    note = f"API        {workers} processes on the one port"
    if dialect == "sqlite":
        note += " (SQLite has one writer: they take turns at it)"
    return note
