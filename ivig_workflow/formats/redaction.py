"""Identifying fields taken out of a hospital message before it is stored.

We keep what a ward sent so that an operator can read why it was refused, but never
who the patient is: courses carry a pseudonymous reference, and names, birth dates,
addresses and phone numbers have no business in our database. Redaction works on the
text (the segment and JSON structure stay readable, each value becomes `REDACTED`), so
it also covers messages that do not parse: an HL7 text is redacted line by line, a JSON
text that is not JSON by its keys.

HL7 v2: PID-5 name, -6 mother's maiden name, -7 birth date, -9 alias, -11 address,
-13/-14 phones, -19 SSN; NK1 (next of kin), GT1 (guarantor), IN1/IN2 (insured) keep their
set id and lose every other field. FHIR and our JSON: in a Patient, RelatedPerson or
Person resource (top-level, contained or in a Bundle) `name`, `telecom`, `address`,
`birthDate`, `contact`, `photo`; anywhere, every reference's `display` and values of
type HumanName, Address or ContactPoint in extensions.
"""

from __future__ import annotations

import json
import re
from typing import Any

REDACTED = "REDACTED"

PID_FIELDS = frozenset({5, 6, 7, 9, 11, 13, 14, 19})
WHOLE_SEGMENTS = frozenset({"NK1", "GT1", "IN1", "IN2"})
PERSON_RESOURCES = frozenset({"Patient", "RelatedPerson", "Person"})
PERSON_KEYS = frozenset({"name", "telecom", "address", "birthDate", "contact", "photo"})
VALUE_KEYS = frozenset({"valueHumanName", "valueAddress", "valueContactPoint"})
# Cheap look before parsing: JSON without any of these has nothing to redact, so a
# ward event (the common case) is stored without a second parse.
_JSON_TRIGGERS = (
    '"display"',
    "Patient",
    "RelatedPerson",
    '"Person"',
    "valueHumanName",
    "valueAddress",
    "valueContactPoint",
)
_LINE = re.compile(r"(\r\n|\r|\n)")


def redact_hl7v2(text: str) -> str:
    """PID's identifying fields and whole NK1/GT1/IN1/IN2 segments, found line by line so
    that a message that does not parse (cut short, bad MSH) is redacted as well."""
    if "PID" not in text and not any(name in text for name in WHOLE_SEGMENTS):
        return text
    parts = _LINE.split(text)
    for index in range(0, len(parts), 2):  # the odd parts are the line breaks
        parts[index] = _redact_segment(parts[index])
    return "".join(parts)


def _redact_segment(line: str) -> str:
    start = line.find("PID")
    for name in WHOLE_SEGMENTS:
        found = line.find(name)
        if found != -1 and (start == -1 or found < start):
            start = found
    # A segment name at the start of the line (after MLLP's start block, if any).
    if start == -1 or line[:start].strip("\x0b\x1c \t") or len(line) <= start + 3:
        return line
    name, separator = line[start : start + 3], line[start + 3]
    if separator.isalnum() or separator.isspace():
        return line
    body = line[start:].rstrip("\x1c")  # MLLP's end block stays outside the last field
    fields = body.split(separator)
    for number in range(1, len(fields)):
        redact = number > 1 if name in WHOLE_SEGMENTS else number in PID_FIELDS
        if redact and fields[number]:
            fields[number] = REDACTED
    return line[:start] + separator.join(fields) + line[start + len(body) :]


def redact_json_text(text: str) -> str:
    """The same JSON with identifying values replaced; text without any is returned as
    it is (byte for byte), and text that is not JSON is redacted by its keys."""
    if not any(trigger in text for trigger in _JSON_TRIGGERS) and not _PERSON_KEY.search(text):
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return _redact_unparsed(text)
    try:
        changed = _redact(document, person=False)
    except RecursionError:
        return _redact_unparsed(text)
    return json.dumps(document, ensure_ascii=False) if changed else text


def _redact(node: Any, *, person: bool) -> bool:
    changed = False
    if isinstance(node, dict):
        person = node.get("resourceType") in PERSON_RESOURCES
        for key, value in node.items():
            if _identifying(node, key, person) and value != REDACTED:
                node[key], changed = REDACTED, True
            elif isinstance(value, dict | list):
                changed = _redact(value, person=False) or changed
    elif isinstance(node, list):
        for item in node:
            changed = _redact(item, person=person) or changed
    return changed


def _identifying(node: dict[str, Any], key: str, person: bool) -> bool:
    if person and key in PERSON_KEYS:
        return True
    if key in VALUE_KEYS:
        return True
    # A Coding's display ("Body weight") says nothing about anyone; a Reference's
    # ("Jane Doe") names the patient or a relative.
    return key == "display" and not ("code" in node and "reference" not in node)


# Keys of a person's details, with a string or an array of strings: for text that is
# not JSON (cut short, or invalid), where no structure tells a Patient from anything else.
_PERSON_KEY = re.compile(
    r'"(family|given|prefix|suffix|birthDate|line|city|district|postalCode|'
    r'telecom|address|display)"'
)
_STRING_VALUE = re.compile(
    r'("(?:family|given|prefix|suffix|birthDate|line|city|district|'
    r'postalCode|display)"\s*:\s*)"(?:[^"\\]|\\.)*"?'
)
_STRING_ARRAY = re.compile(r'("(?:given|prefix|suffix|line)"\s*:\s*)\[[^\]]*\]?')
_LIST_VALUE = re.compile(r'("(?:telecom|address|name|contact)"\s*:\s*)\[[^\]]*\]?')


def _redact_unparsed(text: str) -> str:
    text = _STRING_ARRAY.sub(rf'\1"{REDACTED}"', text)
    text = _LIST_VALUE.sub(rf'\1"{REDACTED}"', text)
    return _STRING_VALUE.sub(rf'\1"{REDACTED}"', text)
