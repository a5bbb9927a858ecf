"""Translators from the formats hospitals already speak (FHIR R4, HL7 v2) to our ward events.

They are pure: a message in, event dicts or a `PatientObservation` out, so that the HTTP
API feeds them through the same idempotency and validation path as our own JSON.
"""

from ivig_workflow.domain.errors import InputError


class UnsupportedMessage(InputError):
    """A well-formed message we do not act on (another resource or message type, a status
    that records no infusion). Kept and refused, never silently dropped."""

    def __init__(self, reason: str, *, element: str = "message") -> None:
        super().__init__(element, reason)
        self.reason = reason
