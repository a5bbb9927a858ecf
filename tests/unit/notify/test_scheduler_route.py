"""The scheduler role (issue 13): routed where the file says, and where a file
written before the role existed sends the infusion nurses' messages (they booked
chairs by hand until then), e-mail addresses included."""

from __future__ import annotations

import json
from pathlib import Path

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.notify.routes_config import load_notifications
from ivig_workflow.notify.routing import Router
from ivig_workflow.settings import REPO_ROOT

from .messages import message

OLD_FILE = """
sinks:
  ward: {type: jsonl, path: ward.jsonl}
  desk: {type: jsonl, path: desk.jsonl}
  mail: {type: smtp, host: 127.0.0.1, from_address: ivig@centre.test,
         to: {infusion_nurse: [n@centre.test]}}
routes:
  infusion_nurse: [ward]
  pharmacy: [desk]
  physician: [desk]
  operator: [desk]
"""


def test_a_file_without_the_scheduler_routes_it_as_the_infusion_nurses(tmp_path: Path) -> None:
    path = tmp_path / "notifications.yaml"
    path.write_text(OLD_FILE)
    config = load_notifications(path)
    assert config.routes[Role.SCHEDULER] == ["ward"]
    mail = config.sinks["mail"]
    assert mail.type == "smtp" and mail.to[Role.SCHEDULER] == ["n@centre.test"]
    router = Router.from_config(config, environ={}, state_folder=tmp_path)
    router.deliver(message("to-scheduler", role=Role.SCHEDULER))
    lines = (tmp_path / "ward.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["to-scheduler"]


def test_a_route_named_for_the_scheduler_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "notifications.yaml"
    path.write_text(
        OLD_FILE.replace("  operator: [desk]\n", "  operator: [desk]\n  scheduler: [desk]\n")
    )
    assert load_notifications(path).routes[Role.SCHEDULER] == ["desk"]


def test_the_shipped_file_routes_the_scheduler() -> None:
    config = load_notifications(REPO_ROOT / "config" / "notifications.yaml")
    assert config.routes[Role.SCHEDULER] == ["ward-log"]
