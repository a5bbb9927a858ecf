"""The collector's thresholds while a sweep runs: raised, and given back as they were."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from ivig_workflow.service.sweep_collector import SWEEP_THRESHOLDS, quiet_collector


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_thresholds_are_raised_inside_and_put_back_after() -> None:
    with quiet_collector():
        assert gc.get_threshold() == SWEEP_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_put_back_after_an_error_too() -> None:
    with pytest.raises(RuntimeError), quiet_collector():
        raise RuntimeError("a batch failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_and_overlapping_sweeps_put_back_once_the_last_leaves() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other_sweep() -> None:
        with quiet_collector():
            inside.set()
            leave.wait(timeout=10)

    thread = threading.Thread(target=other_sweep)
    with quiet_collector():
        thread.start()
        assert inside.wait(timeout=10)
        with quiet_collector():  # sweep_due around sweep_batch
            assert gc.get_threshold() == SWEEP_THRESHOLDS
    # This sweep left; the other still runs: its thresholds stay raised.
    assert gc.get_threshold() == SWEEP_THRESHOLDS
    leave.set()
    thread.join(timeout=10)
    assert gc.get_threshold() == (700, 10, 10)


def test_higher_thresholds_are_kept_and_a_change_made_meanwhile_is_not_undone() -> None:
    gc.set_threshold(100_000, 10, 10)
    with quiet_collector():
        assert gc.get_threshold() == (100_000, 50, 100)
    assert gc.get_threshold() == (100_000, 10, 10)
    with quiet_collector():
        gc.set_threshold(60_000, 60, 60)  # the API server settled its heap meanwhile
    assert gc.get_threshold() == (60_000, 60, 60)
