"""The ward-event inbox: every delivery kept, each key applied once, one transaction."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from ivig_workflow.db.statuses import InboxStatus, WorkItemStatus
from ivig_workflow.db.tables import InboxRow, OutboxRow, WorkItemRow
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import ConcurrentWriters, receive_event
from tests.integration.course_driver import RULEBOOK, Ward, row_counts


def _inbox(engine: Engine) -> list[InboxRow]:
    with reading(engine) as session:
        return list(session.scalars(select(InboxRow).order_by(col(InboxRow.id))).all())


@pytest.fixture
def ward(engine: Engine) -> Ward:
    ward = Ward.start(engine, "dermatomyositis")
    ward.release()
    return ward


def test_a_resent_key_answers_the_first_outcome_and_changes_nothing(ward: Ward) -> None:
    cycle = ward.cycle()
    first = ward.give(cycle, [1])[0]
    assert (first.status, first.state) == ("applied", "active")
    before = row_counts(ward.engine)
    # The resend differs in its body: the key alone decides that it was seen.
    again = ward.send(
        "course.held", {"reason": "resent"}, ward.local(date(2026, 2, 1)), key=first.key
    )
    assert again.status == "duplicate"
    assert (again.first_status, again.state, again.inbox_id) == ("applied", "active", 1)
    assert row_counts(ward.engine) == before
    assert ward.view()["cycles"][0]["days_given"] == [1]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"type": "infusion.administered", "course_id": ', "body"),
        (b"\xff\xfe not json", "body"),
        ('{"type": "infusion.given", "course_id": "X", "key": "k"}', "type"),
        ('{"course_id": "X", "key": "k", "occurred_at": "2026-01-12T10:00:00+01:00"}', "type"),
    ],
)
def test_unreadable_deliveries_are_kept_raw_as_invalid(
    engine: Engine, raw: str | bytes, field: str
) -> None:
    answer = receive_event(raw, engine=engine, rulebook=RULEBOOK, now=Ward.clock())
    assert answer.status == "invalid"
    assert [error.field for error in answer.errors] == [field]
    (row,) = _inbox(engine)
    expected = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    assert (row.status, row.raw) == (InboxStatus.INVALID, expected)
    assert row.reason is not None and row.reason.startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cycle": 1, "day": 0, "dose_g": 10, "product": "p", "lot_numbers": ["L"]}, "data.day"),
        (
            {"cycle": 1, "day": 1, "dose_g": 10, "product": "p", "lot_numbers": []},
            "data.lot_numbers",
        ),
        ({"cycle": 1, "day": 1, "product": "p", "lot_numbers": ["L"]}, "data.dose_g"),
    ],
)
def test_invalid_fields_are_named_and_the_course_is_untouched(
    ward: Ward, data: dict[str, object], field: str
) -> None:
    before = ward.view()
    raw = json.dumps(
        {
            "type": "infusion.administered",
            "course_id": ward.course_id,
            "key": "bad-1",
            "occurred_at": "2026-01-12T10:00:00+01:00",
            "data": data,
        }
    )
    answer = receive_event(raw, engine=ward.engine, rulebook=RULEBOOK, now=Ward.clock())
    assert (answer.status, [e.field for e in answer.errors]) == ("invalid", [field])
    assert [(r.status, r.raw) for r in _inbox(ward.engine)] == [(InboxStatus.INVALID, raw)]
    assert ward.view() == before
    # The key of an invalid delivery is not burnt: the corrected resend applies.
    fixed = {**data, "day": 1, "dose_g": 10, "lot_numbers": ["L"], "product": "p"}
    again = ward.send("infusion.administered", fixed, ward.local("2026-01-12"), key="bad-1")
    assert again.status == "applied"


def test_an_event_for_an_unknown_course_is_kept(engine: Engine) -> None:
    raw = {
        "type": "course.held",
        "course_id": "no-such-course",
        "key": "k-unknown",
        "occurred_at": "2026-01-12T10:00:00+01:00",
        "data": {"reason": "r"},
    }
    answer = receive_event(raw, engine=engine, rulebook=RULEBOOK, now=Ward.clock())
    assert (answer.status, answer.course_id) == ("unknown_course", "no-such-course")
    (row,) = _inbox(engine)
    assert json.loads(row.raw) == raw
    assert (row.course_id, row.type) == ("no-such-course", "course.held")


def test_an_event_refused_by_state_is_stored_and_raised_to_the_operators(ward: Ward) -> None:
    before = ward.view()
    counts = row_counts(ward.engine)
    answer = ward.send("relapse.reported", {"note": "?"}, ward.local("2026-01-13"))
    assert (answer.status, answer.state) == ("refused", "initiation")
    assert answer.rule == "transition_table"
    assert ward.view() == before
    after = row_counts(ward.engine)
    changed = {name for name in counts if counts[name] != after[name]}
    assert changed == {"inbox", "outbox"}
    (row,) = _inbox(ward.engine)
    assert (row.status, row.reason) == (InboxStatus.REFUSED, answer.reason)
    with reading(ward.engine) as session:
        note = session.scalars(select(OutboxRow).where(col(OutboxRow.role) == "operator")).one()
    assert note.course_id == ward.course_id
    assert note.data["event_key"] == answer.key
    duplicate = ward.send("relapse.reported", None, ward.local("2026-01-14"), key=answer.key)
    assert (duplicate.status, duplicate.first_status) == ("duplicate", "refused")


def test_a_failure_halfway_through_saving_stores_nothing_of_the_event(ward: Ward) -> None:
    cycle = ward.cycle()
    ward.give(cycle, [1])
    # A conflicting row: with this index, the physician's work item that a severe
    # adverse event raises fails at the very end, after the course, its cycles and
    # its log rows were flushed.
    with ward.engine.begin() as connection:
        connection.execute(
            text("CREATE UNIQUE INDEX test_one_kind ON work_items (course_id, kind)")
        )
    with Session(ward.engine) as session:
        session.add(
            WorkItemRow(
                key="conflicting",
                course_id=ward.course_id,
                role="physician",
                kind="physician_decision",
                title="placed by the test",
                status=WorkItemStatus.OPEN,
                created_at=Ward.clock(),
            )
        )
        session.commit()
    before, view = row_counts(ward.engine), ward.view()
    severe = {"severity": "severe", "description": "haemolysis"}
    with pytest.raises(ConcurrentWriters):
        ward.send("adverse_event.reported", severe, ward.local("2026-01-12", 15), key="ae-1")
    assert row_counts(ward.engine) == before
    assert ward.view() == view
    with ward.engine.begin() as connection:
        connection.execute(text("DROP INDEX test_one_kind"))
    again = ward.send("adverse_event.reported", severe, ward.local("2026-01-12", 15), key="ae-1")
    assert (again.status, again.state) == ("applied", "on_hold")
    ward.assert_consistent()
