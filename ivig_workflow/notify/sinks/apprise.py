"""Any Apprise URL: chat rooms, pagers, push services, without code per service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.sinks import DeliveryError

if TYPE_CHECKING:
    import apprise as apprise_lib


class AppriseSink:
    def __init__(self, url: str) -> None:
        # Imported here: apprise loads every plugin, which the CLI should not pay for.
        import apprise as apprise_lib

        self._apprise: apprise_lib.Apprise = apprise_lib.Apprise()
        # The URL often holds a token, so it never appears in a reason or a log.
        if not self._apprise.add(url):
            raise InputError("url", "apprise does not recognise the URL")

    def deliver(self, message: OutgoingMessage) -> None:
        refuse_person_names(message)
        try:
            sent = self._apprise.notify(title=message.subject, body=message.body)
        except Exception as error:  # apprise plugins raise whatever their libraries raise
            raise DeliveryError(True, f"apprise failed: {type(error).__name__}") from error
        if not sent:
            # Apprise does not tell a throttled service from a bad token: let the retry
            # budget decide, the dead letter shows the operators what never arrived.
            raise DeliveryError(True, "apprise reported the notification as not sent")
