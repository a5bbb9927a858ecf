from pathlib import Path

import pytest

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.routes_config import load_notifications
from ivig_workflow.notify.routing import Router
from ivig_workflow.notify.sinks import DeliveryError
from ivig_workflow.notify.sinks.apprise import AppriseSink

from .messages import message
from .receiver import Receiver, running


def apprise_url(receiver: Receiver) -> str:
    return receiver.url.replace("http://", "json://")


def test_apprise_json_url_posts_subject_and_body() -> None:
    with running(Receiver()) as receiver:
        AppriseSink(apprise_url(receiver)).deliver(message())
    [payload] = receiver.accepted
    assert payload["title"] == message().subject
    assert payload["message"] == message().body


def test_a_failing_service_is_a_retryable_failure_then_recovers() -> None:
    with running(Receiver(fail_with=[500])) as receiver:
        sink = AppriseSink(apprise_url(receiver))
        with pytest.raises(DeliveryError) as failed:
            sink.deliver(message())
        assert failed.value.retryable
        assert "json://" not in failed.value.reason  # URLs may hold tokens
        sink.deliver(message())
    assert len(receiver.accepted) == 1


def test_an_unknown_url_is_refused_when_the_sink_is_built() -> None:
    with pytest.raises(InputError, match="url"):
        AppriseSink("nosuchscheme://nowhere")


def test_url_from_the_environment_through_the_router(tmp_path: Path) -> None:
    config = tmp_path / "notifications.yaml"
    config.write_text(
        """
sinks:
  chat: {type: apprise, url_env: TEST_APPRISE_URL}
  log: {type: jsonl}
routes: {operator: [chat, log], pharmacy: [log], physician: [log], infusion_nurse: [log]}
"""
    )
    with running(Receiver()) as receiver:
        env = {"TEST_APPRISE_URL": apprise_url(receiver)}
        router = Router.from_config(load_notifications(config), environ=env, state_folder=tmp_path)
        results = router.deliver(message(role=Role.OPERATOR))
    assert [(result.sink, result.delivered) for result in results] == [
        ("chat", True),
        ("log", True),
    ]
    assert receiver.accepted[0]["title"] == message().subject
