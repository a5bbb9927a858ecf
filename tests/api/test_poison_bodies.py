"""One ward's poison body never reaches another ward's answer (issue 12, finding 1).

Over real HTTP on loopback, valid events from several wards arrive at the same moment as
bodies built to break a parser: 30,000 nested `[`, a 5,000-digit number, bytes that are
not UTF-8, NaN, a body declared as text. Before the edge parsed each body in its own
request, the nested one raised a RecursionError inside the group commit the valid events
shared, and 46 of 390 of them got 500 and were never stored.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import col, func, select

from ivig_workflow.db.tables import InboxRow
from ivig_workflow.service.unit_of_work import reading
from tests.api.conftest import TOKENS, LiveApi, local_evening

ROUNDS, VALID_PER_ROUND = 4, 30
JSON = {"Content-Type": "application/json"}
POISON: list[tuple[bytes, dict[str, str]]] = [
    (b"[" * 30_000, JSON),
    (b'{"type": "observation.recorded", "weight_kg": ' + b"9" * 5_000 + b"}", JSON),
    (b'{"type": "observation.recorded", "course_id": "\xff\xfe"}', JSON),
    (b'{"type": "infusion.administered", "data": {"dose_g": NaN}}', JSON),
    (b'{"type": "course.held"}', {"Content-Type": "text/plain"}),
    (b"{" * 64 + b'"a": ' + b"[" * 5_000, JSON),
]


def weight(course_id: str, key: str) -> bytes:
    return json.dumps(
        {
            "type": "observation.recorded",
            "course_id": course_id,
            "key": key,
            "occurred_at": "2026-01-10T10:00:00+01:00",
            "data": {"weight_kg": 71.5},
        }
    ).encode()


def test_poison_bodies_among_concurrent_valid_events_fail_none_of_them(api: LiveApi) -> None:
    courses = [api.start_course(patient_ref=f"PSN-{n:04d}")["course_id"] for n in range(3)]
    api.clock.now = local_evening("2026-01-10")  # the weights are dated that day
    headers = {"Authorization": f"Bearer {TOKENS['ward-b']}"}
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    Sent = tuple[str | None, bytes, dict[str, str]]
    sent: list[Sent] = []
    for round_ in range(ROUNDS):
        valid: list[Sent] = [
            (f"r{round_}-{n}", weight(courses[n % 3], f"r{round_}-{n}"), JSON)
            for n in range(VALID_PER_ROUND)
        ]
        poison: list[Sent] = [(None, body, kind) for body, kind in POISON]
        # Poison first, in the middle and last, so it lands inside the writers' batches.
        sent += poison[:2] + valid[:15] + poison[2:4] + valid[15:] + poison[4:]

    with httpx.Client(base_url=api.url, headers=headers, timeout=60, limits=limits) as client:

        def post(item: tuple[str | None, bytes, dict[str, str]]) -> tuple[str | None, int]:
            key, body, kind = item
            return key, client.post("/v1/events", content=body, headers=kind).status_code

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(post, sent))

    valid_codes = [code for key, code in answers if key is not None]
    poison_codes = sorted({code for key, code in answers if key is None})
    assert valid_codes == [201] * ROUNDS * VALID_PER_ROUND
    assert poison_codes == [415, 422]
    with reading(api.engine) as session:
        stored = session.execute(
            select(InboxRow.key, func.count())
            .where(col(InboxRow.status) == "applied")
            .group_by(col(InboxRow.key))
        ).all()
        kept_poison = session.scalar(
            select(func.count()).select_from(InboxRow).where(col(InboxRow.status) == "invalid")
        )
    assert sorted(key for key, _ in stored) == sorted(k for k, _ in answers if k is not None)
    assert {count for _, count in stored} == {1}  # each valid event stored once
    assert kept_poison == ROUNDS * len(POISON)  # and every poison body kept, as refused
