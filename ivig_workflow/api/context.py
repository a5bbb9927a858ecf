"""What every request needs: the database, the rulebook, the clock, the tokens, and the
writer that gathers concurrent ward events into one transaction.

Held on `app.state` so that tests and `ivig serve` can hand in their own, and the
routes reach it through one dependency instead of module globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import Engine

from ivig_workflow.api.tokens import TokenStore
from ivig_workflow.service.group_commit import GroupCommit
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.writer_process import ProcessGroupCommit

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApiContext:
    engine: Engine
    rulebook: Rulebook
    clock: Clock
    tokens: TokenStore
    writer: GroupCommit | ProcessGroupCommit

    def now(self) -> datetime:
        return utc_instant(self.clock)


def utc_instant(clock: Clock) -> datetime:
    now = clock()
    if now.tzinfo is None:
        raise RuntimeError("the API clock must return an aware datetime")
    return now.astimezone(UTC)


async def api_context(request: Request) -> ApiContext:
    # async: a plain function dependency would cost every request a thread hop.
    context: ApiContext = request.app.state.ivig
    return context
