"""Twenty deliveries of one key at once: one applies, nineteen are duplicates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
from sqlmodel import col, select

from ivig_workflow.db.tables import InboxRow, TransitionLogRow
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import TOKENS, LiveApi, infusion, local_evening, local_morning

RETRIES = 20


def test_twenty_concurrent_retries_of_one_key_apply_once(api: LiveApi) -> None:
    course = api.start_course()
    cycle = course["cycles"][0]
    api.sweep(local_morning(cycle["planned_start"]))
    api.clock.now = local_evening(cycle["planned_dates"][0])  # the event arrives after it happened
    event = infusion(
        course["course_id"], "retry-key", 1, 1, cycle["doses_g"][0], cycle["planned_dates"][0]
    )
    transitions_before = api.count(TransitionLogRow)
    start = Barrier(RETRIES)
    headers = {"Authorization": f"Bearer {TOKENS['ward-a']}"}

    def deliver(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=api.url, headers=headers, timeout=60) as client:
            start.wait()
            response = client.post("/v1/events", json=event)
            return response.status_code, response.json()["status"]

    with ThreadPoolExecutor(RETRIES) as pool:
        answers = sorted(pool.map(deliver, range(RETRIES)))
    assert answers.count((201, "applied")) == 1
    assert answers.count((200, "duplicate")) == RETRIES - 1
    with reading(api.engine) as session:
        rows = session.scalars(select(InboxRow).where(col(InboxRow.key) == "retry-key")).all()
    assert len(rows) == 1
    assert api.count(TransitionLogRow) == transitions_before + 1  # initiation -> active, once
