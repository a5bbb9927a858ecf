"""One Prefect test harness for the whole session (it takes seconds to start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    # Generous: the harness starts a server, slower on a busy machine.
    with prefect_test_harness(server_startup_timeout=120):
        yield
