"""The outbox delivered to a real webhook receiver and a real SMTP server.

At least once, deduplicated by key, with backoff; a dead letter after the retry
budget opens a work item for the operators.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ivig_workflow.db.tables import OutboxRow, WorkItemRow
from ivig_workflow.notify.retry import RetryPolicy
from ivig_workflow.notify.routes_config import NotificationsConfig
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.dispatch import DEAD_LETTER_KIND, dispatch_due
from ivig_workflow.service.rulebook import load_rulebook
from ivig_workflow.service.sweep import sweep_due
from tests.unit.notify.receiver import Receiver, running

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
SECRET = "test-secret"


def router_to(url: str, tmp_path: Any, smtp_port: int | None = None) -> Router:
    sinks: dict[str, Any] = {"hook": {"type": "webhook", "url": url, "secret_env": "HOOK_SECRET"}}
    routes = {role: ["hook"] for role in ("infusion_nurse", "pharmacy", "physician", "operator")}
    if smtp_port is not None:
        sinks["mail"] = {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp_port,
            "starttls": False,
            "from_address": "ivig@centre.test",
            "to": {"physician": ["derm@centre.test"]},
        }
        routes["physician"] = ["hook", "mail"]
    config = NotificationsConfig.model_validate({"sinks": sinks, "routes": routes})
    return Router.from_config(config, environ={"HOOK_SECRET": SECRET}, state_folder=tmp_path)


def outbox_with_one_notification(engine: Engine) -> None:
    start = StartCourse(
        patient_ref="DEMO-0001",
        indication="dermatomyositis",
        start_date=date(2026, 1, 6),
        weight_kg=70,
    )
    start_course(start, engine=engine, rulebook=load_rulebook(), now=NOW)
    sweep_due(NOW, engine=engine, rulebook=load_rulebook())


def outbox(engine: Engine) -> list[OutboxRow]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxRow).order_by(col(OutboxRow.id))).all())


def test_a_receiver_that_fails_then_recovers_gets_the_message_once(
    engine: Engine, tmp_path: Any
) -> None:
    outbox_with_one_notification(engine)
    policy = RetryPolicy(max_attempts=5, base_seconds=30, max_seconds=600)
    with running(Receiver(secret=SECRET, fail_with=[503, 500])) as receiver:
        router = router_to(receiver.url, tmp_path)
        first = dispatch_due(NOW, engine=engine, router=router, policy=policy)
        assert (first.claimed, first.retrying) == (1, 1)
        row = outbox(engine)[0]
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        # Not yet due: the backoff holds the row back.
        early = dispatch_due(
            NOW + timedelta(seconds=10), engine=engine, router=router, policy=policy
        )
        assert early.claimed == 0
        second = dispatch_due(
            NOW + timedelta(seconds=30), engine=engine, router=router, policy=policy
        )
        assert second.retrying == 1
        assert outbox(engine)[0].next_attempt_at == NOW + timedelta(seconds=90)
        third = dispatch_due(
            NOW + timedelta(minutes=2), engine=engine, router=router, policy=policy
        )
        assert third.delivered == 1
        later = dispatch_due(NOW + timedelta(days=1), engine=engine, router=router, policy=policy)
        assert later.claimed == 0
    assert receiver.requests == 3
    assert [body["key"] for body in receiver.accepted] == [row.key]
    stored = outbox(engine)[0]
    assert (stored.status.value, stored.attempts) == ("delivered", 3)


def test_after_the_retry_budget_the_message_is_a_dead_letter_the_operators_see(
    engine: Engine, tmp_path: Any
) -> None:
    outbox_with_one_notification(engine)
    policy = RetryPolicy(max_attempts=2, base_seconds=1, max_seconds=1)
    with running(Receiver(secret=SECRET, fail_with=[503] * 10)) as receiver:
        router = router_to(receiver.url, tmp_path)
        dispatch_due(NOW, engine=engine, router=router, policy=policy)
        report = dispatch_due(
            NOW + timedelta(seconds=5), engine=engine, router=router, policy=policy
        )
    assert report.dead == 1
    row = outbox(engine)[0]
    assert (row.status.value, row.attempts, row.next_attempt_at) == ("dead", 2, None)
    with Session(engine) as session:
        items = session.scalars(
            select(WorkItemRow).where(col(WorkItemRow.kind) == DEAD_LETTER_KIND)
        ).all()
    assert [(item.role, item.status.value) for item in items] == [("operator", "open")]
    assert row.key in items[0].title


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def test_the_physician_gets_mail_and_a_webhook(
    engine: Engine, tmp_path: Any, smtp: tuple[Mailbox, int]
) -> None:
    outbox_with_one_notification(engine)
    box, port = smtp
    with running(Receiver(secret=SECRET)) as receiver:
        report = dispatch_due(NOW, engine=engine, router=router_to(receiver.url, tmp_path, port))
    assert report.delivered == report.claimed == 1
    assert len(receiver.accepted) == 1
    mail = message_from_bytes(box.mails[0])
    assert mail["To"] == "derm@centre.test"
    assert str(outbox(engine)[0].course_id) in str(mail["Subject"])
