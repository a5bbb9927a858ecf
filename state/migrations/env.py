"""Alembic environment: the schema is SQLModel.metadata from ivig_workflow.db.tables.

`ivig_workflow.db.engine.upgrade` hands in an open connection (inside its own
transaction); the alembic command line (state/alembic.ini) gets one from the URL.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import ivig_workflow.db.tables  # noqa: F401  (registers every table on the metadata)
from ivig_workflow.db.engine import make_engine
from ivig_workflow.db.types import EnumByValue, UtcDateTime

config = context.config


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write plain SQLAlchemy types into migrations, so that old revisions keep
    working when the application's column types move or change."""
    if type_ != "type":
        return False
    if isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, EnumByValue | AutoString):
        length = obj.impl.length if isinstance(obj, EnumByValue) else obj.length
        return "sa.String()" if length is None else f"sa.String(length={length})"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
        # Our SQLite connections run DDL inside the transaction we begin, so a
        # failed migration leaves nothing half-applied on either database.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as own:
            run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `ivig db upgrade`")
main()
