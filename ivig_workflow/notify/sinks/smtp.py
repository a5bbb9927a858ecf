"""E-mail over SMTP to the addresses configured for each role."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.sinks import DeliveryError


class SmtpSink:
    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        recipients: Mapping[Role, Sequence[str]],
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.recipients = {role: list(addresses) for role, addresses in recipients.items()}
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout_s = timeout_s

    def deliver(self, message: OutgoingMessage) -> None:
        refuse_person_names(message)
        to = self.recipients.get(message.role, [])
        if not to:
            raise DeliveryError(False, f"no e-mail recipients for role {message.role.value}")
        email = self._compose(message, to)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username is not None:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(email)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(False, f"SMTP login refused ({error.smtp_code})") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            later = all(400 <= code < 500 for code in codes)
            raise DeliveryError(later, f"SMTP refused recipients {codes}") from error
        except smtplib.SMTPResponseException as error:
            # 4xx replies are the server's "try again later"; 5xx are final.
            raise DeliveryError(
                400 <= error.smtp_code < 500, f"SMTP answered {error.smtp_code}"
            ) from error
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(False, f"SMTP server lacks a feature: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(True, f"SMTP unreachable: {type(error).__name__}") from error

    def _compose(self, message: OutgoingMessage, to: list[str]) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.from_address
        email["To"] = ", ".join(to)
        email["Date"] = formatdate(message.created_at.timestamp(), localtime=False)
        # A Message-ID derived from the outbox key lets mail systems drop the
        # duplicates that at-least-once delivery can produce.
        email["Message-ID"] = f"<{_id_safe(message.key)}@ivig-workflow>"
        email["X-IVIG-Delivery"] = message.key
        email["X-IVIG-Course"] = message.course_id
        email.set_content(message.body)
        return email


def _id_safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]", "-", key)
