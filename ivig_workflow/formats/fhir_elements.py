"""Reading the FHIR elements every supported resource shares: references to our courses,
extensions, instants and the sender's idempotency key. Field names are FHIRPath, so a
ward's integration team can find the element we refused."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.reference import Reference
from pydantic import ValidationError

from ivig_workflow.domain.errors import InputError

COURSE_SYSTEM = "urn:ivig-workflow:course"
PATIENT_SYSTEM = "urn:ivig-workflow:patient"
EXTENSION_BASE = "https://ivig-workflow.org/fhir/StructureDefinition/"
CYCLE_URL = EXTENSION_BASE + "cycle"
CYCLE_DAY_URL = EXTENSION_BASE + "cycle-day"
LOT_NUMBER_URL = EXTENSION_BASE + "lot-number"
KEY_MAX_LENGTH = 200  # the inbox's column

# A literal reference, relative or absolute, optionally pinned to a version.
_CARE_PLAN = re.compile(r"(?:^|/)CarePlan/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


def fhir_path(root: str, loc: Sequence[int | str]) -> str:
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def refusal(error: ValidationError, root: str) -> InputError:
    """One readable line for the first problem the FHIR models found."""
    first = error.errors()[0]
    rule = " ".join(first["msg"].removeprefix("Value error, ").split())
    more = error.error_count() - 1
    if more:
        rule += f" (and {more} more)"
    return InputError(fhir_path(root, first["loc"]), rule)


def course_id(references: Iterable[tuple[str, Reference | None]]) -> str | None:
    """The course named by `CarePlan/<id>` or by an identifier of our course system;
    None when no reference names one, InputError when two name different courses."""
    found: dict[str, str] = {}
    for field, reference in references:
        if reference is None:
            continue
        match = _CARE_PLAN.search(reference.reference or "")
        identifier = reference.identifier
        if match:
            found.setdefault(match.group(1), field)
        elif identifier is not None and identifier.system == COURSE_SYSTEM and identifier.value:
            found.setdefault(identifier.value, field)
    if len(found) > 1:
        fields = ", ".join(sorted(set(found.values())))
        raise InputError(fields, f"references name different courses: {', '.join(found)}")
    return next(iter(found), None)


def extension_values(extensions: list[Extension] | None, url: str) -> list[Any]:
    values: list[Any] = []
    for extension in extensions or []:
        if extension.url == url:
            values.append(
                extension.valueInteger
                if extension.valueInteger is not None
                else extension.valueString
            )
    return values


def extension_count(extensions: list[Extension] | None, url: str, field: str) -> int:
    values = extension_values(extensions, url)
    if len(values) != 1 or not isinstance(values[0], int):
        raise InputError(field, "required: exactly one valueInteger")
    if values[0] < 1:
        raise InputError(field, "must be 1 or more")
    return values[0]


def instant(value: object, field: str) -> str:
    """ISO-8601 with the sender's offset; a date alone cannot place an infusion day."""
    if not isinstance(value, datetime):
        raise InputError(field, "required: a dateTime with time of day and offset")
    if value.tzinfo is None:
        raise InputError(field, "must carry a UTC offset")
    return value.isoformat()


def sender_key(
    resource_type: str, resource_id: str | None, identifiers: list[Identifier] | None, field: str
) -> str:
    """The idempotency key: the resource id the sender gave, else its first business
    identifier, because a retried POST keeps these and nothing else."""
    key = None
    if resource_id:
        key = f"fhir:{resource_type}/{resource_id}"
    else:
        for identifier in identifiers or []:
            if identifier.system and identifier.value:
                key = f"fhir:{resource_type}?identifier={identifier.system}|{identifier.value}"
                break
    if key is None:
        raise InputError(field, "required: an id or an identifier with system and value")
    if len(key) > KEY_MAX_LENGTH:
        raise InputError(field, f"too long to serve as idempotency key (over {KEY_MAX_LENGTH})")
    return key
