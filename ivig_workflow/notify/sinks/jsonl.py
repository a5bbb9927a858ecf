"""A JSON-lines file under the state folder: works with no outside system at all."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.sinks import DeliveryError


class _File:
    """The lock and the index of keys of one file, shared in the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: set[str] | None = None


# Shared by every sink instance writing the same file, so two routes naming one
# file can neither interleave lines nor each write the same key once.
_FILES: dict[Path, _File] = {}
_FILES_GUARD = threading.Lock()


def _file_for(path: Path) -> _File:
    with _FILES_GUARD:
        return _FILES.setdefault(path, _File())


class JsonlSink:
    """Appends one JSON object per line, fsynced before `deliver` returns."""

    def __init__(self, path: Path, idempotent: bool = True) -> None:
        self.path = path.resolve()
        self.idempotent = idempotent
        self._file = _file_for(self.path)

    def deliver(self, message: OutgoingMessage) -> None:
        refuse_person_names(message)
        line = json.dumps(message.as_json(), ensure_ascii=False, sort_keys=True) + "\n"
        with self._file.lock:
            try:
                keys = self._seen_keys()
                if self.idempotent and message.key in keys:
                    return
                self._append(line.encode("utf-8"))
                keys.add(message.key)
            except OSError as error:
                raise DeliveryError(True, f"cannot write {self.path.name}: {error}") from error

    def _seen_keys(self) -> set[str]:
        # Read once, on first use: the file is the record of what was delivered, so a
        # restarted process must not append a key it wrote before the restart.
        if self._file.keys is None:
            keys: set[str] = set()
            if self.path.exists():
                keys = _keys_in(self.path)
                _end_torn_line(self.path)
            self._file.keys = keys
        return self._file.keys

    def _append(self, data: bytes) -> None:
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)


def _keys_in(path: Path) -> set[str]:
    keys: set[str] = set()
    with path.open("r", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                # A line torn by a crash: its message was never confirmed delivered,
                # so it will be retried and written whole.
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                keys.add(record["key"])
    return keys


def _end_torn_line(path: Path) -> None:
    # Without this a write after a crash mid-line would be glued onto the torn one.
    with path.open("rb") as existing:
        existing.seek(0, os.SEEK_END)
        if existing.tell() == 0:
            return
        existing.seek(-1, os.SEEK_END)
        last = existing.read(1)
    if last != b"\n":
        with path.open("ab") as appending:
            appending.write(b"\n")
            appending.flush()
            os.fsync(appending.fileno())


def _fsync_dir(folder: Path) -> None:
    # A new file's directory entry must be durable too, or a crash can lose the file.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
