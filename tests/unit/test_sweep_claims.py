"""How many due courses a PostgreSQL sweep batch claims: a quarter of what is left
ahead of the worker, never fewer than MIN_CLAIM nor more than the batch size."""

from __future__ import annotations

import pytest

from ivig_workflow.service.sweep_claims import MIN_CLAIM, claim_size


@pytest.mark.parametrize(
    ("ahead", "batch_size", "expected"),
    [
        (800, 200, 200),  # plenty left: full batches
        (5_000, 200, 200),
        (600, 200, 150),  # the tail: a quarter of what is left
        (401, 200, 101),
        (199, 200, MIN_CLAIM),  # never below the smallest worth a transaction
        (1, 200, MIN_CLAIM),
        (7, 5, 5),  # a batch size below the smallest claim is the claim
        (3_000, 30, 30),
    ],
)
def test_claim_size(ahead: int, batch_size: int, expected: int) -> None:
    assert claim_size(ahead, batch_size) == expected
