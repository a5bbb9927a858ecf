"""kill -9 of the dispatcher while it delivers: every notification reaches each sink (the
JSON-lines file and a real webhook receiver on loopback) exactly once in effect. Delivery
is at least once; the file sink and the receiver deduplicate by the message's key."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.db.statuses import OutboxStatus
from ivig_workflow.db.tables import OutboxRow
from ivig_workflow.service.unit_of_work import UnitOfWork
from ivig_workflow.settings import config_dir
from tests.unit.notify.receiver import Receiver, running

KILLS = int(os.environ.get("IVIG_RELIABILITY_KILLS", "20"))
MESSAGES = 150


def _delivering(receiver: Receiver, process: subprocess.Popen[bytes]) -> bool:
    before = receiver.requests
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if receiver.requests > before:
            return True
        time.sleep(0.01)
    return False


def test_killing_the_dispatcher_delivers_each_notification_once_per_sink(tmp_path: Path) -> None:
    state, config = tmp_path / "state", tmp_path / "config"
    shutil.copytree(config_dir(), config)
    engine = ensure_schema(f"sqlite:///{state / 'ivig.sqlite3'}")
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        for n in range(MESSAGES):
            uow.session.add(
                OutboxRow(
                    key=f"note-{n}",
                    role="operator",
                    subject=f"note {n}",
                    body="check the course",
                    created_at=now,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=now,
                )
            )
        uow.commit()
    engine.dispose()
    chance, kills, restarts = random.Random(7), 0, 0
    with running(Receiver(secret="soak-secret")) as receiver:
        (config / "notifications.yaml").write_text(
            "sinks:\n"
            "  file: {type: jsonl, path: notifications.jsonl, idempotent: true}\n"
            f"  hook: {{type: webhook, url: '{receiver.url}', secret_env: SOAK_SECRET}}\n"
            "routes:\n"
            + "".join(
                f"  {role}: [file, hook]\n"
                for role in ("infusion_nurse", "pharmacy", "physician", "operator")
            )
        )
        env = {
            **os.environ,
            "IVIG_STATE_DIR": str(state),
            "IVIG_CONFIG_DIR": str(config),
            "SOAK_SECRET": "soak-secret",
        }
        env.pop("IVIG_DATABASE_URL", None)
        while True:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.dispatcher", str(restarts * 6)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            restarts += 1
            if kills < KILLS and _delivering(receiver, process):
                # Killed at a random moment once it is delivering: mid-request, between
                # the receiver's answer and the outbox row's update, or between rows.
                time.sleep(chance.uniform(0.0, 0.3))
                if process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    kills += 1
                    continue
            process.wait(timeout=300)
            output = process.stdout.read() if process.stdout else b""
            assert process.returncode == 0, output.decode()
            break
        time.sleep(0.2)
    lines = (state / "notifications.jsonl").read_text().splitlines()
    in_file = Counter(json.loads(line)["key"] for line in lines if line.strip())
    in_hook = Counter(message["key"] for message in receiver.accepted)
    keys = {f"note-{n}" for n in range(MESSAGES)}
    print(f"dispatcher kills {kills}, webhook requests {receiver.requests} for {MESSAGES}")
    assert kills >= KILLS // 2, "the dispatcher finished before it was killed enough"
    assert set(in_file) == keys and set(in_file.values()) == {1}
    assert set(in_hook) == keys and set(in_hook.values()) == {1}
