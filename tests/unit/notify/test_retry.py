from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.retry import RetryPolicy, next_attempt, settle
from ivig_workflow.notify.sinks import SinkResult

NOW = datetime(2025, 3, 4, 7, 30, tzinfo=UTC)
DEFAULT = RetryPolicy(max_attempts=8, base_seconds=30, max_seconds=3600)


@pytest.mark.parametrize(
    ("attempts", "wait_s"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, None), (9, None)],
)
def test_schedule_doubles_from_the_base_and_dies_at_max_attempts(
    attempts: int, wait_s: int | None
) -> None:
    expected = None if wait_s is None else NOW + timedelta(seconds=wait_s)
    assert next_attempt(attempts, NOW, DEFAULT) == expected


@pytest.mark.parametrize(("attempts", "wait_s"), [(1, 30), (2, 60), (3, 100), (19, 100)])
def test_the_wait_never_exceeds_the_cap(attempts: int, wait_s: int) -> None:
    policy = RetryPolicy(max_attempts=20, base_seconds=30, max_seconds=100)
    assert next_attempt(attempts, NOW, policy) == NOW + timedelta(seconds=wait_s)


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(InputError, match="attempts"):
        next_attempt(0, NOW, DEFAULT)
    with pytest.raises(InputError, match="now"):
        next_attempt(1, datetime(2025, 3, 4, 7, 30), DEFAULT)
    with pytest.raises(ValidationError, match="max_seconds"):
        RetryPolicy(base_seconds=60, max_seconds=30)


@given(
    attempts=st.integers(1, 10_000),
    max_attempts=st.integers(1, 100),
    base=st.floats(0.001, 1e5),
    cap_factor=st.floats(1, 1e4),
)
def test_waits_grow_never_pass_the_cap_and_stop(
    attempts: int, max_attempts: int, base: float, cap_factor: float
) -> None:
    policy = RetryPolicy(
        max_attempts=max_attempts, base_seconds=base, max_seconds=base * cap_factor
    )
    this, later = next_attempt(attempts, NOW, policy), next_attempt(attempts + 1, NOW, policy)
    assert (this is None) == (attempts >= max_attempts)
    if this is not None:
        assert NOW < this <= NOW + timedelta(seconds=policy.max_seconds)
        assert later is None or later >= this
    # Same inputs, same answer: no jitter, so operators can read the schedule.
    assert this == next_attempt(attempts, NOW, policy)


OK = SinkResult("log", True)
LATER = SinkResult("hook", False, True, "webhook answered HTTP 503")
NEVER = SinkResult("mail", False, False, "no e-mail recipients for role operator")


@pytest.mark.parametrize(
    ("results", "attempts", "status", "next_at"),
    [
        ([OK], 0, "delivered", None),
        ([OK, LATER], 0, "pending", NOW + timedelta(seconds=30)),
        ([LATER], 2, "pending", NOW + timedelta(seconds=120)),
        ([LATER], 7, "dead", None),
        ([NEVER], 0, "dead", None),
        ([NEVER, LATER], 0, "pending", NOW + timedelta(seconds=30)),
        ([], 0, "dead", None),
    ],
)
def test_settle_turns_sink_results_into_the_rows_next_state(
    results: list[SinkResult], attempts: int, status: str, next_at: datetime | None
) -> None:
    settled = settle(results, attempts, NOW, DEFAULT)
    assert (settled.status, settled.attempts, settled.next_attempt_at) == (
        status,
        attempts + 1,
        next_at,
    )
    assert (settled.delivered_at == NOW) is (status == "delivered")
    if status != "delivered":
        assert settled.last_error
        for failed in results:
            if not failed.delivered:
                assert f"{failed.sink}: {failed.reason}" in settled.last_error
