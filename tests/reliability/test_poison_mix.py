"""The poison mix of issue 12: in each round 39 valid ward events and one deeply nested
body arrive together; not one valid event may fail because of the poison.

What makes this pass is issue 12's item 1: each request is parsed and bounded on its
own before it joins a group commit.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx

from tests.api.conftest import TOKENS, LiveApi, api, rulebook  # noqa: F401 - fixtures

ROUNDS, VALID = 10, 39
POISON = "[" * 30_000 + "]" * 30_000


def test_a_poison_body_fails_no_valid_event_beside_it(api: LiveApi) -> None:  # noqa: F811
    courses = [api.start_course(patient_ref=f"PSN-{n}")["course_id"] for n in range(4)]
    api.clock.now += timedelta(hours=2)  # the weights below are measured after the opening
    headers = {"Authorization": f"Bearer {TOKENS['ward-a']}", "Content-Type": "application/json"}

    def post(body: str | dict[str, object]) -> int:
        with httpx.Client(base_url=api.url, headers=headers, timeout=60) as client:
            if isinstance(body, str):
                return client.post("/v1/events", content=body).status_code
            return client.post("/v1/events", json=body).status_code

    failed, poisons = 0, []
    for round_ in range(ROUNDS):
        bodies: list[str | dict[str, object]] = [
            {
                "type": "observation.recorded",
                "course_id": courses[n % 4],
                "key": f"mix-{round_}-{n}",
                "occurred_at": (api.clock.now - timedelta(minutes=n)).isoformat(),
                "data": {"weight_kg": 70 + n / 10},
            }
            for n in range(VALID)
        ]
        bodies.insert(round_ % VALID, POISON)
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            codes = list(pool.map(post, bodies))
        poisons.append(codes.pop(round_ % VALID))
        failed += sum(1 for code in codes if code not in (200, 201))
    assert failed == 0, f"{failed} of {ROUNDS * VALID} valid events failed"
    assert all(400 <= code < 500 for code in poisons), poisons  # refused, never a crash
