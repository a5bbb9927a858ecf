"""Effects built from the state machine's own, already typed values, without validation.

A sweep releases a cycle with four effects, and validating them cost more than a
third of the release (their `data` is `dict[str, JsonValue]`, whose validator calls
back into Python for every value): ~7 us an effect against ~2 us built here.
Validation stays at the edges, where values come from outside; here every value is
the domain's own (enum members, aware instants, JSON-ready lists and dicts). What
validation could still refuse on this path (a key beyond its 200 characters, from an
unbounded course id) goes through the validating constructor, which refuses it as
before. `tests/unit/test_trusted_effects.py` holds the two constructions equal.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from ivig_workflow.domain.course.effects import Notification, WorkItem

_Effect = TypeVar("_Effect", WorkItem, Notification)
_set = object.__setattr__
KEY_LENGTH = 200  # `_Effect.key`'s max_length


@cache
def _fields(model: type[BaseModel]) -> tuple[str, ...]:
    # Validation stores the fields in their declared order; so does this (repr, dumps).
    return tuple(model.model_fields)


def trusted(model: type[_Effect], **values: Any) -> _Effect:
    """`model(**values)` as validation would build it from these values: every field
    given, each of its declared type already."""
    fields = _fields(model)
    if len(values) != len(fields) or not 0 < len(values.get("key", "")) <= KEY_LENGTH:
        return model(**values)  # a field missing, unknown or too long: refused as ever
    effect = model.__new__(model)
    _set(effect, "__dict__", {name: values[name] for name in fields})
    _set(effect, "__pydantic_fields_set__", set(values))
    _set(effect, "__pydantic_extra__", None)
    _set(effect, "__pydantic_private__", None)
    return effect
