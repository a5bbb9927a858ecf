import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.routes_config import load_notifications
from ivig_workflow.notify.routing import Router
from ivig_workflow.notify.sinks import DeliveryError
from ivig_workflow.notify.sinks.smtp import SmtpSink

from .messages import message

RECIPIENTS = {
    Role.PHARMACY: ["pharmacy@centre.test"],
    Role.PHYSICIAN: ["derm-a@centre.test", "derm-b@centre.test"],
}


@dataclass
class Mailbox:
    answer: str = "250 OK"
    mails: list[tuple[list[str], Message]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer.startswith("250"):
            self.raw.append(envelope.content)
            self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return self.answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def only_clinic(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (b"ivig", b"s3cret")
    # handled=False: the server itself answers 535 to a refused login.
    return AuthResult(success=ok, handled=False, auth_data=auth)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=only_clinic, auth_require_tls=False
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def test_mail_reaches_the_roles_addresses_with_subject_and_key(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    sink = SmtpSink("127.0.0.1", port, "ivig@centre.test", RECIPIENTS, starttls=False)
    sink.deliver(message("k1", role=Role.PHYSICIAN))
    [(rcpts, mail)] = box.mails
    assert rcpts == ["derm-a@centre.test", "derm-b@centre.test"]
    assert mail["Subject"] == message().subject
    assert mail["From"] == "ivig@centre.test"
    assert mail["X-IVIG-Delivery"] == "k1"
    assert mail["Message-ID"] == "<k1@ivig-workflow>"
    assert "PT-7F3A" in mail.get_payload()


def test_a_message_with_a_name_never_reaches_the_server(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    sink = SmtpSink("127.0.0.1", port, "ivig@centre.test", RECIPIENTS, starttls=False)
    named = message("k2", data={"patient_ref": "PT-7F3A", "patient_name": "Erika Mustermann"})
    with pytest.raises(InputError, match="patient_name"):
        sink.deliver(named)
    sink.deliver(message("k3"))
    assert len(box.mails) == 1
    assert not any(b"Mustermann" in raw for raw in box.raw)


def test_login_uses_credentials_named_in_config(
    mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = mailbox
    config = tmp_path / "notifications.yaml"
    config.write_text(
        f"""
sinks:
  mail:
    type: smtp
    host: 127.0.0.1
    port: {port}
    starttls: false
    username_env: TEST_SMTP_USER
    password_env: TEST_SMTP_PASSWORD
    from_address: ivig@centre.test
    to: {{pharmacy: [pharmacy@centre.test], physician: [d@centre.test],
          infusion_nurse: [n@centre.test], operator: [o@centre.test]}}
routes: {{pharmacy: [mail], physician: [mail], infusion_nurse: [mail], operator: [mail]}}
"""
    )
    env = {"TEST_SMTP_USER": "ivig", "TEST_SMTP_PASSWORD": "s3cret"}
    router = Router.from_config(load_notifications(config), environ=env, state_folder=tmp_path)
    [result] = router.deliver(message("k4", role=Role.OPERATOR))
    assert result.delivered
    assert box.mails[0][0] == ["o@centre.test"]

    wrong = {"TEST_SMTP_USER": "ivig", "TEST_SMTP_PASSWORD": "guess"}
    router = Router.from_config(load_notifications(config), environ=wrong, state_folder=tmp_path)
    [result] = router.deliver(message("k5"))
    assert not result.delivered and not result.retryable


@pytest.mark.parametrize(("answer", "retryable"), [("451 try later", True), ("554 no", False)])
def test_server_replies_decide_whether_to_retry(
    mailbox: tuple[Mailbox, int], answer: str, retryable: bool
) -> None:
    box, port = mailbox
    box.answer = answer
    sink = SmtpSink("127.0.0.1", port, "ivig@centre.test", RECIPIENTS, starttls=False)
    with pytest.raises(DeliveryError) as failed:
        sink.deliver(message())
    assert failed.value.retryable is retryable


def test_no_server_is_retryable_and_no_address_is_not() -> None:
    sink = SmtpSink("127.0.0.1", free_port(), "ivig@centre.test", RECIPIENTS, timeout_s=2)
    with pytest.raises(DeliveryError) as down:
        sink.deliver(message())
    assert down.value.retryable
    with pytest.raises(DeliveryError) as nobody:
        sink.deliver(message(role=Role.OPERATOR))
    assert not nobody.value.retryable
