import json
import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_workflow.notify.sinks import DeliveryError
from ivig_workflow.notify.sinks.webhook import WebhookSink, sign, verify_signature

from .messages import message
from .receiver import Receiver, running

SECRET = "test-secret-not-a-real-one"


def test_signed_delivery_is_verified_and_carries_the_key() -> None:
    with running(Receiver(secret=SECRET)) as receiver:
        WebhookSink(receiver.url, SECRET, timeout_s=5).deliver(message("k1"))
    assert receiver.accepted == [message("k1").as_json()]
    headers = receiver.headers[0]
    assert headers["X-IVIG-Delivery"] == "k1"
    assert headers["X-IVIG-Signature"].startswith("sha256=")
    assert abs(int(headers["X-IVIG-Timestamp"]) - time.time()) < 60


def test_receiver_deduplicates_a_redelivery_by_key() -> None:
    with running(Receiver(secret=SECRET)) as receiver:
        sink = WebhookSink(receiver.url, SECRET, timeout_s=5)
        sink.deliver(message("k1"))
        sink.deliver(message("k1"))
        sink.deliver(message("k2"))
    assert receiver.requests == 3
    assert [body["key"] for body in receiver.accepted] == ["k1", "k2"]


def test_a_receiver_failing_twice_with_503_then_recovering() -> None:
    with running(Receiver(secret=SECRET, fail_with=[503, 503])) as receiver:
        sink = WebhookSink(receiver.url, SECRET, timeout_s=5)
        for _ in range(2):
            with pytest.raises(DeliveryError) as failed:
                sink.deliver(message("k1"))
            assert failed.value.retryable
            assert "503" in failed.value.reason
        sink.deliver(message("k1"))
    assert receiver.requests == 3
    assert [body["key"] for body in receiver.accepted] == ["k1"]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (404, False), (410, False), (408, True), (429, True), (500, True), (502, True)],
)
def test_status_decides_whether_to_retry(status: int, retryable: bool) -> None:
    receiver = Receiver(secret=SECRET, fail_with=[status])
    with running(receiver), pytest.raises(DeliveryError) as failed:
        WebhookSink(receiver.url, SECRET, timeout_s=5).deliver(message())
    assert failed.value.retryable is retryable
    assert receiver.accepted == []


def test_a_wrong_secret_is_refused_by_the_receiver_and_not_retried() -> None:
    with running(Receiver(secret=SECRET)) as receiver, pytest.raises(DeliveryError) as failed:
        WebhookSink(receiver.url, "another-secret", timeout_s=5).deliver(message())
    assert not failed.value.retryable
    assert receiver.accepted == []


def test_a_slow_receiver_is_a_retryable_timeout() -> None:
    receiver = Receiver(secret=SECRET, delay_s=1.0)
    with running(receiver), pytest.raises(DeliveryError) as failed:
        WebhookSink(receiver.url, SECRET, timeout_s=0.2).deliver(message())
    assert failed.value.retryable
    assert "timed out" in failed.value.reason


def test_nobody_listening_is_a_retryable_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as failed:
        WebhookSink(f"http://127.0.0.1:{port}/hook", SECRET, timeout_s=2).deliver(message())
    assert failed.value.retryable


def test_the_signature_covers_timestamp_and_body_and_expires() -> None:
    body = json.dumps(message().as_json()).encode()
    signature = sign(SECRET, 1_700_000_000, body)
    assert verify_signature(SECRET, "1700000000", body, signature, 300, now=1_700_000_100)
    assert not verify_signature(SECRET, "1700000000", body, signature, 300, now=1_700_000_301)
    assert not verify_signature(SECRET, "1700000001", body, signature, 300, now=1_700_000_000)
    assert not verify_signature(SECRET, "1700000000", body + b" ", signature, 300, now=1.7e9)
    assert not verify_signature(SECRET, "soon", body, signature, 300, now=1.7e9)


@given(secret=st.text(min_size=1), body=st.binary(), timestamp=st.integers(0, 2**40))
def test_sign_then_verify_round_trips(secret: str, body: bytes, timestamp: int) -> None:
    signature = sign(secret, timestamp, body)
    assert verify_signature(secret, str(timestamp), body, signature, 0, now=timestamp)
    assert not verify_signature(secret + "x", str(timestamp), body, signature, 0, now=timestamp)
    assert not verify_signature(secret, str(timestamp), body + b"\0", signature, 0, now=timestamp)
