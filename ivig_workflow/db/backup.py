"""A consistent copy of the embedded database while it is in use.

SQLite's online backup API copies page by page under a read transaction, so writers
carry on and the copy is one instant's database, WAL content included. PostgreSQL is
backed up with its own tool (`pg_dump`): we only say how, since the server's operators
own its credentials, schedule and storage.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from ivig_workflow.domain.errors import InputError


def pg_dump_command(url: str, path: Path) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    shown = parsed.render_as_string(hide_password=True)
    return f"pg_dump --format=custom --file {path} '{shown}'"


def backup_sqlite(url: str, path: Path) -> int:
    """Copy the SQLite database of `url` to `path` (which must not exist); return its bytes."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InputError("database url", "an in-memory database has nothing to back up")
    if not Path(database).exists():
        raise InputError("database url", f"{database} does not exist")
    if path.exists():
        raise InputError("PATH", f"{path} exists already; back up to a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=1024)  # in steps: writers are not held up long
            # The copy stands alone: no WAL beside it, durable before it is renamed.
            target.execute("PRAGMA journal_mode=DELETE")
            target.commit()
        finally:
            target.close()
    finally:
        source.close()
    partial.replace(path)  # a crash mid-copy never leaves a file that looks complete
    return path.stat().st_size
