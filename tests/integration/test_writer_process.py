"""The group commit's writer in its own process answers as the writer thread does, and a
writer process that dies costs its batch a `DatabaseUnavailable`, nothing more."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from ivig_workflow.db.availability import DatabaseUnavailable
from ivig_workflow.service.unit_of_work import UnitOfWork
from ivig_workflow.service.ward_events import ConcurrentWriters, Delivery
from ivig_workflow.service.writer_process import ProcessGroupCommit
from tests.integration.course_driver import Ward


def _infusion(ward: Ward, cycle: dict[str, Any], at: datetime, key: str) -> Delivery:
    return Delivery(ward.infusion(cycle, 1, at, key=key), sender="ward-a")


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_the_writer_process_answers_each_sender(engine: Engine) -> None:
    wards = [Ward.start(engine, "dermatomyositis", patient_ref=f"PSN-{n}") for n in range(12)]
    wards[0].release()  # the sweep releases every course's first cycle
    cycle = wards[0].cycle(("released",))
    at = wards[0].local(cycle["planned_dates"][0])
    writer = ProcessGroupCommit(url=_url(engine), now=lambda: at)
    writer.start()
    futures = [writer.submit(_infusion(w, cycle, at, f"k{n}")) for n, w in enumerate(wards)]
    futures.append(writer.submit(_infusion(wards[3], cycle, at, "k3")))
    futures.append(writer.submit(Delivery("{not json", sender="ward-a")))
    answers = [future.result(timeout=120) for future in futures]
    writer.close()
    assert [a.status for a in answers[:12]] == ["applied"] * 12
    assert [a.key for a in answers[:12]] == [f"k{n}" for n in range(12)]
    assert [a.course_id for a in answers[:12]] == [ward.course_id for ward in wards]
    assert answers[12].status == "duplicate"
    assert answers[13].status == "invalid"
    assert writer.events == 14
    assert all(ward.view()["cycles"][0]["days_given"] == [1] for ward in wards)


def test_a_writer_that_dies_fails_its_batch_and_the_next_starts_another(engine: Engine) -> None:
    ward = Ward.start(engine, "dermatomyositis", patient_ref="PSN-1")
    ward.release()
    cycle = ward.cycle(("released",))
    at = ward.local(cycle["planned_dates"][0])
    writer = ProcessGroupCommit(url=_url(engine), now=lambda: at)
    writer.start()
    first = writer._writer
    with UnitOfWork(engine) as held:  # another writer holds the course: the batch waits
        lock = "SELECT id FROM courses WHERE id = :id FOR UPDATE"
        if engine.dialect.name == "postgresql":
            held.session.execute(text(lock), {"id": ward.course_id})
        in_flight = writer.submit(_infusion(ward, cycle, at, "k1"))
        time.sleep(3)  # the writer process has the batch and waits for the lock
        assert not in_flight.done()
        os.kill(first.pid, signal.SIGKILL)
        lost = in_flight.exception(timeout=120)
    assert isinstance(lost, DatabaseUnavailable)
    answer = writer.submit(_infusion(ward, cycle, at, "k1")).result(timeout=120)  # the resend
    again = writer.submit(_infusion(ward, cycle, at, "k1")).result(timeout=120)
    writer.close()
    assert writer._writer is None and not first.is_alive()
    assert (answer.status, again.status) == ("applied", "duplicate")
    assert ward.view()["cycles"][0]["days_given"] == [1]


def test_a_failed_clock_reaches_every_sender(engine: Engine) -> None:
    def broken_clock() -> datetime:
        raise ConcurrentWriters("clock unavailable")

    writer = ProcessGroupCommit(url=_url(engine), now=broken_clock)
    futures = [writer.submit(Delivery("{}")) for _ in range(3)]
    errors = [future.exception(timeout=60) for future in futures]
    writer.close()
    assert all(isinstance(error, ConcurrentWriters) for error in errors)
