"""What every request needs: the database, the rulebook, the clock and the tokens.

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
from ivig_workflow.service.rulebook import Rulebook

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApiContext:
    engine: Engine
    rulebook: Rulebook
    clock: Clock
    tokens: TokenStore

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise RuntimeError("the API clock must return an aware datetime")
        return now.astimezone(UTC)


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.ivig
    return context
