"""Two courses the same value for value and type for type, stricter than `==`.

`Course.__eq__` takes an enum member for its string, a list for nothing like a tuple
only sometimes, and two instants at different offsets as equal. A course loaded from
its snapshot must come back exactly as one rebuilt from its rows: the same model
classes, enums, dates, tuples, float dict keys, and every instant at the same offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


def assert_same(a: Any, b: Any, path: str = "course") -> None:
    assert type(a) is type(b), f"{path}: {type(a).__name__} against {type(b).__name__}"
    if isinstance(a, BaseModel):
        for name in type(a).model_fields:
            assert_same(getattr(a, name), getattr(b, name), f"{path}.{name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), f"{path}: {len(a)} items against {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{index}]")
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], f"{path}: keys"
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, datetime):
        assert a.utcoffset() is not None and b.utcoffset() is not None, f"{path}: naive"
        assert (a, a.utcoffset()) == (b, b.utcoffset()), f"{path}: {a} against {b}"
    else:
        assert a == b, f"{path}: {a!r} against {b!r}"
