"""What a token may do: its role, and the centres whose courses it may touch.

- `ward`: post events, hospital messages, courses and task closings, and read courses
  and tasks, all for its own centres;
- `read`: GET only, its own centres;
- `admin`: everything, every centre named (or all, `*`).

A request outside the scope gets 403 in the usual error shape, naming the field that
crossed the line (the course, the centre) and why, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.tables import CourseRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import reading

Role = Literal["ward", "read", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
ALL_CENTRES = "*"
_WRITERS = ("ward", "admin")


@dataclass(frozen=True)
class Principal:
    name: str  # the sender, recorded as actor
    role: Role
    centres: frozenset[str] | None  # None: every centre

    @property
    def everywhere(self) -> bool:
        return self.centres is None

    def covers(self, centre: str | None) -> bool:
        return self.centres is None or (centre is not None and centre in self.centres)

    def may_write(self) -> bool:
        return self.role in _WRITERS


def parse_role(text: str, field: str = "role") -> Role:
    if text not in ROLES:
        raise InputError(field, f"must be one of {', '.join(ROLES)}, not {text!r}")
    return text  # type: ignore[return-value]  # checked against ROLES just above


def centre_set(centres: Iterable[str]) -> frozenset[str] | None:
    chosen = frozenset(c.strip() for c in centres if c.strip())
    return None if not chosen or ALL_CENTRES in chosen else chosen


class Forbidden(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['rule']}" for e in errors))
        self.errors = errors


def forbidden_body(error: Forbidden) -> dict[str, object]:
    return {"status": "forbidden", "reason": str(error), "errors": error.errors}


def install_forbidden_handler(app: FastAPI) -> None:
    async def on_forbidden(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Forbidden)
        return JSONResponse(forbidden_body(error), status_code=403)

    app.add_exception_handler(Forbidden, on_forbidden)


def outside(principal: Principal, field: str, centre: str) -> dict[str, str]:
    allowed = ", ".join(sorted(principal.centres or ()))
    return {
        "field": field,
        "rule": f"belongs to centre {centre!r}; token {principal.name!r} may act for "
        f"{allowed} only",
    }


# A course never changes centre, so what was looked up once stays true: the check
# costs a query only the first time a course is named.
_CENTRE_OF: dict[str, str] = {}
_CACHE_LIMIT = 100_000


def course_centres(engine: Engine, course_ids: Collection[str]) -> dict[str, str]:
    """course id -> centre, for the courses that exist."""
    missing = [c for c in set(course_ids) if c not in _CENTRE_OF]
    if missing:
        with reading(engine) as session:
            rows = session.exec(
                select(col(CourseRow.id), col(CourseRow.centre_slug)).where(
                    col(CourseRow.id).in_(missing)
                )
            ).all()
        if len(_CENTRE_OF) > _CACHE_LIMIT:
            _CENTRE_OF.clear()
        _CENTRE_OF.update({course_id: centre for course_id, centre in rows})
    return {c: _CENTRE_OF[c] for c in course_ids if c in _CENTRE_OF}


def check_courses(principal: Principal, engine: Engine, targets: list[tuple[str, str]]) -> None:
    """`targets`: (field, course id) pairs; raise Forbidden naming each one outside scope.
    A course that does not exist is let through: it is answered as unknown as usual."""
    if principal.everywhere or not targets:
        return
    centres = course_centres(engine, [course_id for _, course_id in targets])
    errors = [
        outside(principal, field, centres[course_id])
        for field, course_id in targets
        if course_id in centres and not principal.covers(centres[course_id])
    ]
    if errors:
        raise Forbidden(errors)


def check_centre(principal: Principal, field: str, centre: str) -> None:
    if not principal.covers(centre):
        raise Forbidden([outside(principal, field, centre)])


def known_centres(course_ids: Collection[str]) -> bool:
    """True when checking these courses needs no database read."""
    return all(course_id in _CENTRE_OF for course_id in course_ids)
