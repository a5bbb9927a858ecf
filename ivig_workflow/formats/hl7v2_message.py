"""The structure of a pipe-delimited HL7 v2 message: segments, fields, components, escapes,
MLLP framing and timestamps. Field names follow HL7 habit (`PID-3.1`, `OBX(2)-5`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from ivig_workflow.domain.errors import InputError

START_BLOCK, END_BLOCK = "\x0b", "\x1c"
DEFAULT_ENCODING = "^~\\&"
_SEGMENT_NAME = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_TS = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?(?:([+-])(\d{2})(\d{2}))?$"
)


def frame_mllp(message: str) -> str:
    return f"{START_BLOCK}{message}{END_BLOCK}\r"


def unframe_mllp(data: str) -> str:
    """The message inside an MLLP block; text without the block is returned as it is."""
    stripped = data.strip(" \t\r\n")
    if not stripped.startswith(START_BLOCK):
        return data
    body, end, _ = stripped[1:].partition(END_BLOCK)
    if not end:
        raise InputError("MLLP", "start block (0x0B) without end block (0x1C)")
    return body


@dataclass(frozen=True)
class Separators:
    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    def unescape(self, text: str) -> str:
        e = re.escape(self.escape)
        meaning = {
            "F": self.field,
            "S": self.component,
            "T": self.subcomponent,
            "R": self.repetition,
            "E": self.escape,
        }
        return re.sub(f"{e}([FSTRE]){e}", lambda match: meaning[match.group(1)], text)

    def escaped(self, text: str) -> str:
        out = text.replace(self.escape, f"{self.escape}E{self.escape}")
        for char, code in (
            (self.field, "F"),
            (self.component, "S"),
            (self.subcomponent, "T"),
            (self.repetition, "R"),
        ):
            out = out.replace(char, f"{self.escape}{code}{self.escape}")
        return out


@dataclass(frozen=True)
class Segment:
    name: str
    occurrence: int  # 1 for the first segment of its name, as in OBX(2)
    fields: tuple[str, ...]  # fields[n] is SEG-n, for MSH too

    def label(self, number: int, component: int | None = None) -> str:
        where = self.name if self.occurrence == 1 else f"{self.name}({self.occurrence})"
        return f"{where}-{number}" + (f".{component}" if component else "")

    def raw(self, number: int) -> str:
        return self.fields[number] if number < len(self.fields) else ""


@dataclass(frozen=True)
class Message:
    separators: Separators
    segments: tuple[Segment, ...]

    def first(self, name: str) -> Segment | None:
        return next((segment for segment in self.segments if segment.name == name), None)

    def all(self, name: str) -> list[Segment]:
        return [segment for segment in self.segments if segment.name == name]

    def value(self, segment: Segment, number: int, component: int = 1) -> str:
        """A component of the first repetition of a field, unescaped."""
        sep = self.separators
        first_repetition = segment.raw(number).split(sep.repetition)[0]
        components = first_repetition.split(sep.component)
        text = components[component - 1] if component <= len(components) else ""
        return sep.unescape(text.split(sep.subcomponent)[0]).strip()


def parse_message(text: str) -> Message:
    lines = [line for line in re.split(r"\r\n|\r|\n", unframe_mllp(text).strip()) if line]
    if not lines or not lines[0].startswith("MSH"):
        raise InputError("MSH", "required: the message must start with an MSH segment")
    if len(lines[0]) < 8:
        raise InputError("MSH", "the MSH segment is incomplete: it ends before MSH-2")
    field_sep, encoding = lines[0][3], lines[0][4:].split(lines[0][3])[0]
    if len(encoding) not in (4, 5) or len(set(encoding + field_sep)) != len(encoding) + 1:
        raise InputError("MSH-2", f"encoding characters {encoding!r} are not 4 distinct characters")
    separators = Separators(field_sep, *encoding[:4])
    segments: list[Segment] = []
    seen: dict[str, int] = {}
    for line in lines:
        parts = line.split(field_sep)
        name = parts[0]
        if not _SEGMENT_NAME.match(name):
            raise InputError(f"segment {len(segments) + 1}", f"{name[:8]!r} is not a segment name")
        seen[name] = seen.get(name, 0) + 1
        # MSH-1 is the field separator itself, so MSH fields sit one place further on.
        fields = ("MSH", field_sep, *parts[1:]) if name == "MSH" else tuple(parts)
        segments.append(Segment(name, seen[name], fields))
    return Message(separators, tuple(segments))


def parse_timestamp(value: str, field: str, default_time_zone: tzinfo) -> datetime:
    """An HL7 TS to at least the minute; without an offset it is wall time in the centre's
    zone, refused when that wall time does not exist (the spring-forward gap)."""
    match = _TS.match(value)
    if not match:
        raise InputError(field, f"timestamp {value!r} is not YYYYMMDDHHMM[SS[.S]][+/-ZZZZ]")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError as error:
        raise InputError(field, f"timestamp {value!r}: {error}") from None
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        return naive.replace(tzinfo=timezone(-offset if sign == "-" else offset))
    local = naive.replace(tzinfo=default_time_zone)
    if local.astimezone(UTC).astimezone(default_time_zone).replace(tzinfo=None) != naive:
        raise InputError(field, f"local time {value} does not exist in {default_time_zone}")
    utc_offset = local.utcoffset()
    assert utc_offset is not None  # an aware datetime always has one
    return local.astimezone(timezone(utc_offset))


def format_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%z")
