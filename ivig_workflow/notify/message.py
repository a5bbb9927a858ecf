"""The message a sink delivers, and the guard that keeps names out of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError


class OutgoingMessage(BaseModel):
    """One notification as it leaves the outbox: what to do, for which course, by when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The outbox key: receivers deduplicate on it, so it must survive retries unchanged.
    key: str = Field(min_length=1, max_length=200)
    course_id: str = Field(min_length=1)
    role: Role
    subject: str = Field(min_length=1, max_length=200)
    body: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# Field names that would carry a person's name. Notifications travel to inboxes and
# chat rooms outside the clinic's records, so they carry pseudonymous references only.
_PERSON_NAME_FIELDS = frozenset(
    {
        "name",
        "first_name",
        "firstname",
        "given_name",
        "middle_name",
        "last_name",
        "lastname",
        "family_name",
        "surname",
        "maiden_name",
        "full_name",
        "fullname",
        "patient_name",
        "patientname",
    }
)


def _normalised(field: str) -> str:
    # camelCase and kebab-case spellings are the same field to a reader.
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", field)
    return snake.replace("-", "_").replace(" ", "_").lower()


def _name_fields(data: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(data, Mapping):
        for field, value in data.items():
            here = f"{path}.{field}"
            if _normalised(str(field)) in _PERSON_NAME_FIELDS:
                found.append(here)
            found.extend(_name_fields(value, here))
    elif isinstance(data, list | tuple):
        for index, item in enumerate(data):
            found.extend(_name_fields(item, f"{path}[{index}]"))
    return found


def refuse_person_names(message: OutgoingMessage) -> None:
    """Raise InputError if the message's data holds a field named like a person's name."""
    found = _name_fields(message.data, "data")
    if found:
        raise InputError(
            found[0],
            "notifications carry course ids and pseudonymous patient references, never names",
        )
