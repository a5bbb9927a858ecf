"""Apply one ward event given as parameters.

A Prefect automation runs this flow's deployment when an outside system posts an
`ivig.ward-event` event to the Prefect server (`POST /api/events`), with the
event's payload as the `event` parameter (see config/deployments.yaml). The event
goes through the same inbox as the HTTP API: stored verbatim, deduplicated by key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from flows.resources import engine, instant, rulebook
from ivig_workflow.service.ward_events import receive_event


def _name() -> str:
    from prefect.runtime import flow_run

    event = flow_run.parameters.get("event") or {}
    kind = event.get("type", "unknown") if isinstance(event, dict) else "unparsed"
    return f"ward-event-{kind}-{event.get('key', '') if isinstance(event, dict) else ''}"[:100]


@flow(name="ward-event", flow_run_name=_name, log_prints=False)
async def ward_event(
    event: dict[str, Any] | str,
    sender: str | None = None,
    at: datetime | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    answer = receive_event(
        event, engine=engine(database_url), rulebook=rulebook(), now=instant(at), sender=sender
    )
    return answer.model_dump(mode="json")
