import json
import socket
from pathlib import Path

import pytest

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.routes_config import NotificationsConfigError, load_notifications
from ivig_workflow.notify.routing import Router
from ivig_workflow.settings import REPO_ROOT

from .messages import message

TWO_FILES = """
retry: {max_attempts: 5, base_seconds: 10, max_seconds: 600}
sinks:
  ward: {type: jsonl, path: ward.jsonl}
  desk: {type: jsonl, path: out/desk.jsonl}
routes:
  infusion_nurse: [ward]
  pharmacy: [desk]
  physician: [ward, desk]
  operator: [desk]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notifications.yaml"
    path.write_text(text)
    return path


def keys(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["key"] for line in path.read_text().splitlines()]


def test_each_role_reaches_exactly_its_sinks(tmp_path: Path) -> None:
    config = load_notifications(write(tmp_path, TWO_FILES))
    assert config.retry.max_attempts == 5
    router = Router.from_config(config, environ={}, state_folder=tmp_path)
    router.deliver(message("to-pharmacy", role=Role.PHARMACY))
    results = router.deliver(message("to-physician", role=Role.PHYSICIAN))
    router.deliver(message("to-nurse", role=Role.INFUSION_NURSE))
    assert [(result.sink, result.delivered) for result in results] == [
        ("ward", True),
        ("desk", True),
    ]
    assert keys(tmp_path / "ward.jsonl") == ["to-physician", "to-nurse"]
    assert keys(tmp_path / "out" / "desk.jsonl") == ["to-pharmacy", "to-physician"]


def test_one_failing_sink_does_not_stop_the_others(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write(
        tmp_path,
        f"""
sinks:
  hook: {{type: webhook, url: "http://127.0.0.1:{port}/", secret_env: T_SECRET, timeout_seconds: 2}}
  log: {{type: jsonl}}
routes: {{physician: [hook, log], pharmacy: [log], infusion_nurse: [log], operator: [log]}}
""",
    )
    router = Router.from_config(
        load_notifications(config), environ={"T_SECRET": "x"}, state_folder=tmp_path
    )
    hook, log = router.deliver(message(role=Role.PHYSICIAN))
    assert (hook.delivered, hook.retryable, log.delivered) == (False, True, True)


def test_the_default_config_sends_every_role_to_the_state_file(tmp_path: Path) -> None:
    config = load_notifications(REPO_ROOT / "config" / "notifications.yaml")
    assert {role: names for role, names in config.routes.items()} == {
        role: ["ward-log"] for role in Role
    }
    router = Router.from_config(config, environ={}, state_folder=tmp_path)
    for role in Role:
        assert router.deliver(message(f"k-{role.value}", role=role))[0].delivered
    assert len(keys(tmp_path / "notifications.jsonl")) == len(Role)


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (("pharmacy: [desk]", "pharmacy: [sms]"), "routes.pharmacy[0]", "unknown sink 'sms'"),
        (("  operator: [desk]\n", ""), "routes.operator", "at least one sink"),
        (("  operator: [desk]", "  operator: []"), "routes.operator", "at least one sink"),
        (("path: ward.jsonl", "path: ../ward.jsonl"), "sinks.ward.path", "inside the state"),
        (("path: ward.jsonl", "path: /tmp/w.jsonl"), "sinks.ward.path", "inside the state"),
        (("type: jsonl, path: ward", "type: fax, path: ward"), "sinks.ward", "tag 'fax'"),
        (("path: ward.jsonl", "secret: abc"), "sinks.ward", "secret_env"),
        (("max_attempts: 5", "max_attempts: 0"), "retry.max_attempts", "greater than or equal"),
        (("infusion_nurse:", "nurse:"), "routes.nurse", "infusion_nurse"),
    ],
)
def test_bad_config_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], field: str, rule: str
) -> None:
    assert change[0] in TWO_FILES
    path = write(tmp_path, TWO_FILES.replace(*change))
    with pytest.raises(NotificationsConfigError) as refused:
        load_notifications(path)
    assert refused.value.file == path
    assert refused.value.config_field == field
    assert rule in refused.value.rule
    assert str(refused.value).startswith(f"{path}: {field}")


def test_webhook_field_errors_name_the_field_not_the_union_tag(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sinks: {hook: {type: webhook, url: 'https://x.test/'}}\nroutes: {operator: [hook]}\n",
    )
    with pytest.raises(NotificationsConfigError) as refused:
        load_notifications(path)
    assert refused.value.config_field == "sinks.hook.secret_env"


@pytest.mark.parametrize(
    ("text", "rule"),
    [("sinks: [unclosed", "not valid YAML at line 1"), ("- a list", "must be a mapping")],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path: Path, text: str, rule: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(NotificationsConfigError, match=rule) as refused:
        load_notifications(path)
    assert str(path) in str(refused.value)
    with pytest.raises(NotificationsConfigError, match="file not found"):
        load_notifications(tmp_path / "missing.yaml")


def test_a_missing_secret_stops_the_router_at_start(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
sinks: {hook: {type: webhook, url: "https://x.test/", secret_env: T_SECRET}}
routes: {physician: [hook], pharmacy: [hook], infusion_nurse: [hook], operator: [hook]}
""",
    )
    with pytest.raises(InputError) as refused:
        Router.from_config(load_notifications(path), environ={}, state_folder=tmp_path)
    assert refused.value.field == "sinks.hook.secret_env"
    assert "T_SECRET" in refused.value.rule


def test_smtp_sink_must_have_addresses_for_the_roles_routed_to_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
sinks:
  mail: {type: smtp, host: mail.test, from_address: a@b.test, to: {pharmacy: [p@b.test]}}
  log: {type: jsonl}
routes: {pharmacy: [mail], physician: [mail], infusion_nurse: [log], operator: [log]}
""",
    )
    with pytest.raises(NotificationsConfigError, match="no address"):
        load_notifications(path)


def test_a_name_in_data_is_refused_before_any_sink(tmp_path: Path) -> None:
    router = Router.from_config(
        load_notifications(write(tmp_path, TWO_FILES)), environ={}, state_folder=tmp_path
    )
    with pytest.raises(InputError, match=r"data\.name"):
        router.deliver(message(role=Role.PHYSICIAN, data={"name": "Erika Mustermann"}))
    assert not (tmp_path / "ward.jsonl").exists()
