"""`ChairsChanged`: the effect a step emits when the chair days booked for its course
change (see `chair_changes` for when). Self-contained, so that `effects.Effect` can
name it without an import cycle."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class FreedDays(BaseModel):
    """The bookings of one cycle to give back: dated on or after `from_day`, of
    `days` only when named (a day given earlier than booked), else of every day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cycle: int = Field(ge=1)
    from_day: date
    days: tuple[int, ...] | None = None


class ChairsChanged(BaseModel):
    """The course's chair days changed: free `freed` and re-plan `centre`, whose
    chairs are needed again from `needed_from` (the earliest day the change touches).

    Applying it twice is harmless: a freed booking is freed once, and a second mark
    only asks for one more re-plan, which books from the database as it stands.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=200)
    course_id: str
    role: Literal["scheduler"] = "scheduler"  # who keeps the chairs (effects.Role)
    centre: str = Field(min_length=1)
    freed: tuple[FreedDays, ...] = ()
    needed_from: date
    why: str
    data: dict[str, JsonValue] = Field(default_factory=dict)  # as every effect has
    rule: str = "chairs.follow_course"
    citation: str = (
        "ivig-workflow policy: a chair booked for a day that will not happen is given "
        "back in the step that says so, and the centre's chairs are planned again"
    )
