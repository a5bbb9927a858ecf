"""One process, one command: the ward API, the clock and the dashboard together.

uvicorn runs the API in the main thread and owns Ctrl-C and SIGTERM: when it
returns, the clock stops (waiting for a running job to finish, so nothing is left
half done) and then the dashboard. All work is in our database, so a restart
repeats nothing and loses nothing.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from ivig_workflow.api.app import create_app
from ivig_workflow.api.processes import api_processes_note, serve_api_processes
from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.orchestrator import jobs
from ivig_workflow.orchestrator.clock import build_clock
from ivig_workflow.orchestrator.dashboard import Dashboard
from ivig_workflow.orchestrator.dashboard_auth import dashboard_credentials
from ivig_workflow.orchestrator.schedules import load_schedules
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.settings import database_url, state_dir


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"  # the ward API
    port: int = 8000
    dashboard_port: int = 4200
    dashboard: bool = True
    dashboard_host: str = "127.0.0.1"  # beyond loopback, behind Prefect's basic auth
    api_workers: int = 1  # API processes on the one port (PostgreSQL); the clock stays here


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM before the API was up: stop what started, exit cleanly."""


class _Signals:
    """Ctrl-C and SIGTERM stop start-up at once, and are ignored once stopping.

    uvicorn takes both signals while it serves and, once it has shut down, raises
    them again for the handlers it found: these, so a stop ends with exit code 0
    after the clock and the dashboard are stopped in order, not with a traceback.
    """

    def __init__(self) -> None:
        self.stopping = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.handle)

    def handle(self, sig: int, frame: FrameType | None) -> None:
        if not self.stopping:
            self.stopping = True
            raise Interrupted(sig)


def serve(options: ServeOptions, say: Callable[[str], None]) -> int:
    signals = _Signals()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("apscheduler", "alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Sync flow runs would each wait on Prefect's heartbeat thread; ours are async,
    # and no heartbeat is wanted for runs this short.
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    dashboard: Dashboard | None = None
    clock: BackgroundScheduler | None = None
    prefect_used = False
    try:
        state = state_dir()
        url = database_url()
        engine = ensure_schema(url)
        rulebook = load_rulebook()
        schedules = load_schedules()
        prefect_api = os.environ.get("PREFECT_API_URL") or None
        prefect_auth = os.environ.get("PREFECT_API_AUTH_STRING") or None  # a server of theirs
        if not options.dashboard:
            prefect_api = None
        elif prefect_api is None:
            home = state / "prefect"
            prefect_auth = dashboard_credentials(options.dashboard_host, home, say)
            dashboard = Dashboard(
                home, options.dashboard_host, options.dashboard_port, auth_string=prefect_auth
            )
            say(f"starting the Prefect dashboard (home {dashboard.home}) ...")
            dashboard.start()
            prefect_api = dashboard.api_url
        prefect_used = prefect_api is not None
        jobs.RUNTIME = jobs.Runtime(
            database_url=url, prefect_api=prefect_api, prefect_auth=prefect_auth
        )
        clock = build_clock(Path(state) / "clock.sqlite3", schedules, rulebook)
        say(f"API        http://{options.host}:{options.port}  (health: /healthz)")
        if prefect_api is not None:
            guarded = " (basic auth)" if prefect_auth else ""
            say(f"dashboard  {prefect_api.removesuffix('/api')}{guarded}")
        else:
            say("dashboard  off (the clock runs the services without Prefect)")
        say(f"database   {make_url(url).render_as_string(hide_password=True)}")
        say("Ctrl-C or SIGTERM stops")
        if options.api_workers > 1:
            say(api_processes_note(options.api_workers, engine.dialect.name))
            serve_api_processes(options.host, options.port, options.api_workers)
        else:
            app = create_app(engine=engine, rulebook=rulebook)
            config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning")
            uvicorn.Server(config).run()
    except Interrupted:
        pass
    finally:
        signals.stopping = True
        if clock is not None:
            clock.pause()  # no new run starts while the running ones finish
            # A tick already past the pause check may still try to hand a run to the
            # stopped executor; that run is simply not started, no error to report.
            logging.getLogger("apscheduler.scheduler").addFilter(_not_submitting)
            clock.shutdown(wait=True)
        if prefect_used:
            _flush_prefect()
        if dashboard is not None:
            dashboard.stop()
    say("stopped")
    return 0


def _flush_prefect() -> None:
    """Send Prefect's queued logs and events while its server still listens.

    Otherwise its background workers keep retrying a stopped server at exit and
    the process never ends.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


def _not_submitting(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Error submitting job")
