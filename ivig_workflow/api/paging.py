"""Pages of a list: `limit` and `offset` in, the items and a link to the next page out."""

from __future__ import annotations

from typing import Any

from fastapi import Request

MAX_PAGE = 500


def page(request: Request, rows: list[Any], *, limit: int, offset: int) -> dict[str, Any]:
    """`rows` holds up to limit + 1 items: the extra one only says a next page exists."""
    following = None
    if len(rows) > limit:
        following = str(request.url.include_query_params(limit=limit, offset=offset + limit))
    return {"items": rows[:limit], "limit": limit, "offset": offset, "next": following}
