"""Concurrent ward events share a transaction, and each sender gets its own answer."""

from __future__ import annotations

from pathlib import Path

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.service.group_commit import GroupCommit
from ivig_workflow.service.unit_of_work import UnitOfWork
from ivig_workflow.service.ward_events import ConcurrentWriters, Delivery
from tests.integration.course_driver import RULEBOOK, Ward


def test_events_that_arrive_while_the_writer_is_busy_go_in_one_transaction(
    tmp_path: Path,
) -> None:
    engine = ensure_schema(f"sqlite:///{tmp_path / 'ivig.sqlite3'}")
    wards = [Ward.start(engine, "dermatomyositis", patient_ref=f"PSN-{n}") for n in range(20)]
    wards[0].release()
    cycle = wards[0].cycle(("released",))
    at = wards[0].local(cycle["planned_dates"][0])
    writer = GroupCommit(engine=engine, rulebook=RULEBOOK, now=lambda: at)

    def infusion(ward: Ward, key: str) -> Delivery:
        return Delivery(ward.infusion(cycle, 1, at, key=key), sender="ward-a")

    with UnitOfWork(engine):  # another writer holds the database while the ward posts
        futures = [writer.submit(infusion(ward, f"k{n}")) for n, ward in enumerate(wards)]
        futures.append(writer.submit(infusion(wards[3], "k3")))
        futures.append(writer.submit(Delivery("{not json", sender="ward-a")))
    answers = [future.result(timeout=60) for future in futures]
    writer.close()
    assert [a.status for a in answers[:20]] == ["applied"] * 20
    assert [a.key for a in answers[:20]] == [f"k{n}" for n in range(20)]
    assert [a.course_id for a in answers[:20]] == [ward.course_id for ward in wards]
    assert (answers[20].status, answers[20].first_status) == ("duplicate", "applied")
    assert answers[21].status == "invalid"
    assert writer.events == 22
    assert writer.batches <= 2  # one per event before group commit
    assert all(ward.view()["cycles"][0]["days_given"] == [1] for ward in wards)


def test_a_failed_batch_reaches_every_sender(tmp_path: Path) -> None:
    engine = ensure_schema(f"sqlite:///{tmp_path / 'ivig.sqlite3'}")

    def broken_clock() -> object:
        raise ConcurrentWriters("clock unavailable")

    writer = GroupCommit(engine=engine, rulebook=RULEBOOK, now=broken_clock)  # type: ignore[arg-type]
    futures = [writer.submit(Delivery("{}")) for _ in range(3)]
    errors = [future.exception(timeout=60) for future in futures]
    writer.close()
    assert all(isinstance(error, ConcurrentWriters) for error in errors)
