"""Signed JSON over HTTP POST, for ward systems, chat bridges and pagers.

The receiver checks `X-IVIG-Signature` (HMAC-SHA256 of `<timestamp>.<body>`) and
rejects stale timestamps, so a captured request cannot be replayed later; it
deduplicates on `X-IVIG-Delivery`, because delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.sinks import DeliveryError

TIMESTAMP_HEADER = "X-IVIG-Timestamp"
SIGNATURE_HEADER = "X-IVIG-Signature"
DELIVERY_HEADER = "X-IVIG-Delivery"

# Timeouts and throttling say "later", not "never".
_RETRYABLE_CLIENT_STATUSES = frozenset({408, 429})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_s: float,
    now: float | None = None,
) -> bool:
    """True if `signature` signs `body` at `timestamp`, and the timestamp is fresh."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature)


class WebhookSink:
    def __init__(
        self,
        url: str,
        secret: str,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._secret = secret
        self.timeout_s = timeout_s
        self._clock = clock

    def deliver(self, message: OutgoingMessage) -> None:
        refuse_person_names(message)
        body = json.dumps(message.as_json(), ensure_ascii=False, sort_keys=True).encode()
        timestamp = int(self._clock())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            DELIVERY_HEADER: message.key,
        }
        try:
            response = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException as error:
            raise DeliveryError(True, f"webhook timed out after {self.timeout_s} s") from error
        except httpx.TransportError as error:
            raise DeliveryError(True, f"webhook unreachable: {type(error).__name__}") from error
        _raise_for_status(response)


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"webhook answered HTTP {status}"
    if status >= 500 or status in _RETRYABLE_CLIENT_STATUSES:
        raise DeliveryError(True, reason)
    # Other 4xx (and redirects, which we do not follow) will not change on retry.
    raise DeliveryError(False, reason)
