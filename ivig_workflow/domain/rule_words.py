"""Pydantic's refusals in the words a ward or a clinician reads: the field and the rule,
never a documentation URL, and "must be a finite number" for NaN or infinity (pydantic
would compare NaN with the bound and call it too large)."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_WORDS = {
    "finite_number": "must be a finite number",
    "json_invalid": "is not valid JSON",
}


# The pattern of a pseudonymous reference (patient_ref), said in words.
_REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"


def rule_words(detail: ErrorDetails) -> str:
    words = _WORDS.get(detail["type"])
    if words is not None:
        return words
    pattern = (detail.get("ctx") or {}).get("pattern")
    if detail["type"] == "string_pattern_mismatch" and pattern == _REFERENCE:
        return "may hold only letters, digits and . _ : - (a letter or digit first)"
    message = detail["msg"].removeprefix("Value error, ")
    return (
        "must be " + message[len("Input should be ") :]
        if message.startswith("Input should be ")
        else message
    )


def first_error(error: ValidationError) -> tuple[str, str]:
    """(field path, rule) of the first thing wrong."""
    detail = error.errors()[0]
    return ".".join(str(part) for part in detail["loc"]), rule_words(detail)
