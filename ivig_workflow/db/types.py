"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones and PostgreSQL hands instants back in the session's zone,
so every instant is normalised to aware UTC at the boundary; a naive datetime is
refused because nobody could say which clock it was read from. Enums are stored by
their value so that the rows stay readable with plain SQL and renaming a Python
member never rewrites the data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, String, TypeDecorator

from ivig_workflow.domain.errors import InputError

# Wide enough for every state and status name, so that an enum can gain a member
# without a migration.
ENUM_VALUE_LENGTH = 32
_ZERO = timedelta(0)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: written as UTC, read back timezone-aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise InputError("instant", f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise InputError("instant", "must be timezone-aware (naive datetimes are refused)")
        utc = value.astimezone(UTC)
        # SQLite keeps text: storing the UTC wall time without an offset keeps the
        # column sortable, so range queries on the sweep index stay correct.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        checked = super().bind_processor(dialect)
        if dialect.name != "sqlite" or checked is None:
            return checked

        # A sweep binds ~20 instants per course, nearly all of them UTC already. For
        # those the text SQLite's DATETIME would store ("YYYY-MM-DD HH:MM:SS.ffffff",
        # the UTC wall time) is the ISO form without its "+00:00": one C call instead
        # of a conversion, a copy and a %-format. A ward's instant in its own zone
        # (an event's occurred_at) is converted to UTC first, also in C. Anything else
        # (naive, not a datetime) is checked, and refused, as before.
        def process(value: datetime | None) -> Any:
            if value.__class__ is datetime:
                offset = value.utcoffset()
                if offset == _ZERO:
                    return value.isoformat(" ", "microseconds")[:26]
                if offset is not None:
                    utc = value.astimezone(UTC)
                    return utc.isoformat(" ", "microseconds")[:26]
            return checked(value)

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EnumByValue(TypeDecorator[Enum]):
    """A Python enum stored as its value in a VARCHAR (no native enum, no CHECK)."""

    impl = String(ENUM_VALUE_LENGTH)
    cache_ok = True

    def __init__(self, enum_class: type[Enum], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_class = enum_class

    def process_bind_param(self, value: Enum | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.__class__ is self.enum_class:
            return str(value.value)  # a member already: skip the lookup by value
        try:
            member = self.enum_class(value.value if isinstance(value, Enum) else value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in self.enum_class)
            raise InputError(
                self.enum_class.__name__, f"{value!r} is not one of {allowed}"
            ) from None
        return str(member.value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Enum | None:
        return None if value is None else self.enum_class(value)

    @property
    def python_type(self) -> type[Enum]:
        return self.enum_class
