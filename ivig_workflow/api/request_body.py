"""A JSON body read at the edge, in the request's own task, before anything shared sees it.

A ward's body is checked here, on its own: its Content-Type, that it is UTF-8 text,
that it nests no deeper than `MAX_DEPTH` and that it parses. Whatever is wrong becomes
a `BodyRefused` naming the field and the rule; nothing a sender sends can raise inside
the group commit that other wards' events share (a body of 30,000 `[` once did, as a
RecursionError there).
"""

from __future__ import annotations

import json
import re
from email.message import Message
from typing import Any

MAX_DEPTH = 64
JSON_MEDIA_TYPE = "application/json"
_BRACKETS = re.compile(r"[\[\]{}]")


class BodyRefused(Exception):
    """A body refused before parsing or validation: answered 415 or 422 in the usual shape."""

    def __init__(self, status_code: int, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.status_code, self.field, self.rule = status_code, field, rule

    @property
    def status(self) -> str:
        return {415: "unsupported_media_type", 413: "too_large"}.get(self.status_code, "invalid")


def too_large(max_bytes: int) -> BodyRefused:
    return BodyRefused(413, "body", f"is over {max_bytes} bytes; the first {max_bytes} are kept")


def is_json(content_type: str | None) -> bool:
    """application/json or application/<anything>+json (FHIR's), parameters allowed."""
    if not content_type:
        return False
    if content_type == JSON_MEDIA_TYPE:  # what nearly every ward sends: no header parsing
        return True
    message = Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def check_media_type(content_type: str | None, expected: str = JSON_MEDIA_TYPE) -> None:
    """A declared type must be JSON (415 otherwise); a body that declares none is read as
    JSON, as a ward's hand-written `curl --data-binary` sends it."""
    if content_type and not is_json(content_type):
        raise BodyRefused(415, "Content-Type", f"must be {expected}; got {content_type!r}")


def kept_text(raw: bytes) -> str:
    """What the inbox keeps of any body: bad UTF-8 and NUL (which PostgreSQL text cannot
    hold) become U+FFFD, everything else verbatim."""
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def utf8_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        raise BodyRefused(
            422, "body", f"is not UTF-8 text (byte 0x{byte:02x} at offset {error.start})"
        ) from None


def check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH without recursing: brackets are counted
    outside strings. Cheap when the body has few brackets at all, as events do."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    # Escapes go first (an escaped backslash, then an escaped quote), so that every
    # quote left opens or closes a string; then only text outside strings is counted.
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    depth = 0
    for bracket in _BRACKETS.findall(outside):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise BodyRefused(422, "body", f"nests deeper than {MAX_DEPTH} arrays or objects")


def parse_json(text: str, *, storable: bool = True) -> Any:
    """The parsed body, or BodyRefused saying where it breaks. `storable=False` leaves
    NUL and lone surrogates to the caller (a batch refuses only the item holding one)."""
    check_depth(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno} (character {error.pos})"
        raise BodyRefused(422, "body", f"is not valid JSON: {error.msg} at {where}") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise BodyRefused(422, "body", "holds a number of more digits than can be read") from None
    except RecursionError:  # not reached after check_depth; kept as the last guard
        raise BodyRefused(422, "body", "nests too deeply to read") from None
    if storable and "\\u" in text:
        check_storable(value)
    return value


def check_storable(value: Any) -> None:
    # Escapes can spell what no database stores: NUL, or half a surrogate pair.
    if isinstance(value, dict):
        for key, item in value.items():
            check_storable(key)
            check_storable(item)
    elif isinstance(value, list):
        for item in value:
            check_storable(item)
    elif isinstance(value, str):
        if "\x00" in value:
            raise BodyRefused(422, "body", "holds a NUL character (\\u0000)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BodyRefused(422, "body", "holds an unpaired UTF-16 surrogate escape") from None


def read_json(
    raw: bytes,
    content_type: str | None,
    expected: str = JSON_MEDIA_TYPE,
    *,
    storable: bool = True,
) -> Any:
    """Every check in order: media type (415), UTF-8, depth, syntax (422)."""
    check_media_type(content_type, expected)
    return parse_json(utf8_text(raw), storable=storable)
