import json
import threading
from pathlib import Path

import pytest

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.sinks import DeliveryError
from ivig_workflow.notify.sinks.jsonl import JsonlSink

from .messages import message


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_json_line_per_message_with_every_field(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    sink = JsonlSink(path)
    sink.deliver(message("k1"))
    sink.deliver(message("k2", role=Role.PHYSICIAN))
    written = lines(path)
    assert [line["key"] for line in written] == ["k1", "k2"]
    assert written[0] == message("k1").as_json()
    assert written[1]["role"] == "physician"


def test_same_key_twice_writes_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    sink = JsonlSink(path)
    sink.deliver(message("k1"))
    sink.deliver(message("k1"))
    JsonlSink(path).deliver(message("k1"))
    assert [line["key"] for line in lines(path)] == ["k1"]


def test_keys_written_by_an_earlier_process_are_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    path.write_text(json.dumps(message("k1").as_json()) + "\n")  # before a restart
    sink = JsonlSink(path)
    sink.deliver(message("k1"))
    sink.deliver(message("k2"))
    assert [line["key"] for line in lines(path)] == ["k1", "k2"]


def test_without_idempotence_every_delivery_is_a_line(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    sink = JsonlSink(path, idempotent=False)
    sink.deliver(message("k1"))
    sink.deliver(message("k1"))
    assert len(lines(path)) == 2


def test_concurrent_writers_never_interleave_or_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    sinks = [JsonlSink(path), JsonlSink(path)]  # two routes naming the same file

    def write(worker: int) -> None:
        for index in range(60):
            # Keys overlap between workers: each key must still appear exactly once.
            sinks[worker % 2].deliver(message(f"k{(index + worker * 20) % 100}"))

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [str(line["key"]) for line in lines(path)]
    assert len(keys) == len(set(keys)) == 100


def test_a_line_torn_by_a_crash_does_not_swallow_the_next_one(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    path.write_text(json.dumps(message("k1").as_json()) + "\n" + '{"key": "k2", "cou')
    sink = JsonlSink(path)
    sink.deliver(message("k1"))  # already whole in the file: skipped
    sink.deliver(message("k2"))  # torn: written again, whole
    whole = [json.loads(line) for line in path.read_text().splitlines()[2:]]
    assert [line["key"] for line in whole] == ["k2"]
    assert path.read_text().count('"k1"') == 1


def test_an_unwritable_folder_is_a_retryable_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DeliveryError) as failed:
        JsonlSink(blocker / "notifications.jsonl").deliver(message())
    assert failed.value.retryable


def test_a_name_in_data_is_refused_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    with pytest.raises(InputError, match=r"data\.patient\.surname"):
        JsonlSink(path).deliver(message(data={"patient": {"surname": "Mustermann"}}))
    assert not path.exists()
