"""The ACK a ward system waits for after each HL7 v2 message it sends us."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from ivig_workflow.domain.errors import InputError
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.hl7v2_message import Separators, format_timestamp, parse_message

AckCode = Literal["AA", "AE", "AR"]
# HL7 table 0357, the error codes an ERR segment carries.
ERROR_CODES = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    200: "Unsupported message type",
    201: "Unsupported event code",
}


def _header(text: str) -> tuple[Separators, list[str]]:
    """Separators and MSH fields of the message answered, as far as they can be read."""
    try:
        message = parse_message(text)
    except InputError:
        return Separators(), ["MSH", "|"] + [""] * 11
    msh = message.segments[0]
    return message.separators, [msh.raw(number) for number in range(13)]


def build_ack(
    message: str,
    code: AckCode,
    text: str = "",
    *,
    now: datetime,
    control_id: str | None = None,
    error_code: int | None = None,
    error_location: str = "",
) -> str:
    """The ACK: MSH with sender and receiver swapped, MSA (code, the control id answered,
    text) and, unless AA, an ERR with the HL7 table 0357 code and the text."""
    sep, msh = _header(message)
    comp = sep.component
    event = msh[9].split(comp)[1] if comp in msh[9] else ""
    answered = msh[10]
    encoding = sep.component + sep.repetition + sep.escape + sep.subcomponent
    # MSH-1 is the field separator itself: joining from MSH-2 on puts every field in place.
    header = [
        "MSH",
        encoding,
        msh[5],
        msh[6],
        msh[3],
        msh[4],
        format_timestamp(now),
        "",
        f"ACK{comp}{event}{comp}ACK",
        control_id or f"ACK{answered}",
        msh[11] or "P",
        msh[12] or "2.5.1",
    ]
    segments = [sep.field.join(header), sep.field.join(["MSA", code, answered, sep.escaped(text)])]
    if code != "AA":
        number = error_code or (200 if code == "AR" else 102)
        cwe = comp.join([str(number), ERROR_CODES.get(number, ""), "HL70357"])
        fields = ["ERR", "", error_location, cwe, "E", "", "", "", sep.escaped(text)]
        segments.append(sep.field.join(fields))
    return "".join(segment + "\r" for segment in segments)


def _location(field: str, comp: str) -> str:
    """`OBX(2)-5.1` -> `OBX^2^5^1^1` (ERL: segment, sequence, field, repetition, component)."""
    match = re.match(r"^([A-Z][A-Z0-9]{2})(?:\((\d+)\))?(?:-(\d+)(?:\.(\d+))?)?$", field)
    if not match:
        return ""
    name, sequence, number, component = match.groups()
    parts = [name, sequence or "1"] + ([number, "1"] if number else [])
    return comp.join(parts + ([component] if component else []))


def refusal_ack(message: str, error: InputError, *, now: datetime) -> str:
    """AR for a message type we do not take, AE for one we take but cannot use."""
    comp = _header(message)[0].component
    location = _location(error.field, comp)
    if isinstance(error, UnsupportedMessage):
        number = 201 if error.field == "MSH-9.2" else 200
        return build_ack(
            message, "AR", str(error), now=now, error_code=number, error_location=location
        )
    if re.fullmatch(r"[A-Z][A-Z0-9]{2}", error.field):
        number = 100  # a required segment is missing
    else:
        number = 101 if error.rule.startswith("required") else 102
    return build_ack(message, "AE", str(error), now=now, error_code=number, error_location=location)
