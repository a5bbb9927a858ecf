"""HL7 v2 ADT messages -> PatientObservation, and the ACKs we answer with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_workflow.domain.course.events import parse_ward_event
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import measurement
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.hl7v2 import (
    build_ack,
    frame_mllp,
    refusal_ack,
    translate_hl7v2,
    unframe_mllp,
)
from ivig_workflow.formats.hl7v2_message import Separators, format_timestamp, parse_timestamp
from ivig_workflow.formats.observation import PatientObservation

EXAMPLES = Path(__file__).parent / "examples" / "hl7"
BERLIN = ZoneInfo("Europe/Berlin")
CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 25, 13, 30, 5, tzinfo=UTC)


def example(name: str) -> str:
    # newline="" keeps \r segment separators as the sender wrote them
    with open(EXAMPLES / name, newline="") as file:
        return file.read()


A08 = example("adt-a08-weight-height.hl7")


def test_a08_with_weight_and_height_becomes_a_patient_observation() -> None:
    assert translate_hl7v2(A08, BERLIN) == PatientObservation(
        patient_ref="PSN-0042",
        key="hl7:PAS:MSG00042",
        occurred_at=datetime(2026, 11, 25, 14, 25, tzinfo=CET),
        weight_kg=71.5,
        height_cm=168.0,
    )


def test_mllp_framing_is_stripped() -> None:
    message = example("adt-a08-mllp.hl7")
    assert message.startswith("\x0b") and message.endswith("\x1c\r")
    assert translate_hl7v2(message, BERLIN) == PatientObservation(
        patient_ref="PSN-0042",
        key="hl7:PAS:MSG00043",
        occurred_at=datetime(2026, 11, 25, 14, 25, tzinfo=CET),
        weight_kg=70.9,
    )


def test_newline_separators_local_time_and_imperial_units() -> None:
    message = example("adt-a08-newlines.hl7")
    assert "\r" not in message
    # EVN-2 carries no offset: it is wall time in the centre's zone (CET on 27 March 2026).
    assert translate_hl7v2(message, BERLIN) == PatientObservation(
        patient_ref="PSN-0107",
        key="hl7:ADMIT:A01-7781",
        occurred_at=datetime(2026, 3, 27, 10, 15, tzinfo=CET),
        weight_kg=74.98,  # 165.3 lb
        height_cm=163.8,  # 64.5 in
    )


CUSTOM = example("adt-a08-custom-encoding.hl7")


def test_custom_encoding_characters_come_from_msh_2() -> None:
    # PID-3 holds an escaped component separator (%S%); EVN-2 is empty, so MSH-7 dates it.
    assert translate_hl7v2(CUSTOM, BERLIN) == PatientObservation(
        patient_ref="PSN@0042",
        key="hl7:PAS:MSG-C-9",
        occurred_at=datetime(2026, 11, 25, 14, 30, tzinfo=CET),
        weight_kg=68.2,  # 68200 g
        height_cm=171.0,  # 1.71 m
    )


def test_accept_ack_swaps_sender_and_receiver() -> None:
    assert build_ack(A08, "AA", now=NOW) == (
        "MSH|^~\\&|IVIG|IVIG-WF|PAS|DERM-HOSP|20261125133005+0000||ACK^A08^ACK|ACKMSG00042|P|2.5.1\r"
        "MSA|AA|MSG00042|\r"
    )


def test_ack_answers_in_the_senders_encoding_characters() -> None:
    assert build_ack(CUSTOM, "AE", "weight 1|2^3", now=NOW, control_id="R1") == (
        "MSH|@*%$|IVIG|IVIG-WF|PAS|DERM-HOSP|20261125133005+0000||ACK@A08@ACK|R1|P|2.5.1\r"
        "MSA|AE|MSG-C-9|weight 1%F%2^3\r"
        "ERR|||102@Data type error@HL70357|E||||weight 1%F%2^3\r"
    )


def test_oru_is_refused_with_ar_and_the_reason() -> None:
    message = example("oru-r01.hl7")
    with pytest.raises(UnsupportedMessage) as refused:
        translate_hl7v2(message, BERLIN)
    assert refused.value.field == "MSH-9"
    reason = (
        "MSH-9: message type ORU\\S\\R01 is not accepted; "
        "send ADT\\S\\A01, ADT\\S\\A04, ADT\\S\\A08"
    )
    assert refusal_ack(message, refused.value, now=NOW) == (
        "MSH|^~\\&|IVIG|IVIG-WF|LAB|DERM-HOSP|20261125133005+0000||ACK^R01^ACK|ACKLAB-5521|P|2.5.1\r"
        f"MSA|AR|LAB-5521|{reason}\r"
        f"ERR||MSH^1^9^1|200^Unsupported message type^HL70357|E||||{reason}\r"
    )


def test_message_without_pid_is_refused_with_ae_segment_missing() -> None:
    message = example("adt-a08-without-pid.hl7")
    with pytest.raises(InputError) as refused:
        translate_hl7v2(message, BERLIN)
    assert (refused.value.field, refused.value.rule) == (
        "PID",
        "required: the PID segment naming the patient",
    )
    text = "PID: required: the PID segment naming the patient"
    assert refusal_ack(message, refused.value, now=NOW) == (
        "MSH|^~\\&|IVIG|IVIG-WF|PAS|DERM-HOSP|20261125133005+0000||ACK^A08^ACK|ACKMSG00044|P|2.5.1\r"
        f"MSA|AE|MSG00044|{text}\r"
        f"ERR||PID^1|100^Segment sequence error^HL70357|E||||{text}\r"
    )


def test_error_location_points_at_the_repeated_segment() -> None:
    message = A08.replace("168|cm^centimetre", "168|ft^foot")
    with pytest.raises(InputError) as refused:
        translate_hl7v2(message, BERLIN)
    assert refused.value.field == "OBX(2)-5"
    ack = refusal_ack(message, refused.value, now=NOW)
    assert ack.split("\r")[2].startswith("ERR||OBX^2^5^1|102^Data type error^HL70357|E")


def test_unreadable_message_still_gets_an_ack() -> None:
    with pytest.raises(InputError) as refused:
        translate_hl7v2("hello", BERLIN)
    assert refusal_ack("hello", refused.value, now=NOW) == (
        "MSH|^~\\&|||||20261125133005+0000||ACK^^ACK|ACK|P|2.5.1\r"
        "MSA|AE||MSH: required: the message must start with an MSH segment\r"
        "ERR||MSH^1|100^Segment sequence error^HL70357|E||||"
        "MSH: required: the message must start with an MSH segment\r"
    )


def _swap(old: str, new: str) -> str:
    assert old in A08
    return A08.replace(old, new)


@pytest.mark.parametrize(
    ("message", "error", "field", "rule_start"),
    [
        (
            _swap("ADT^A08^ADT_A01", "ADT^A03^ADT_A03"),
            UnsupportedMessage,
            "MSH-9.2",
            "event ADT^A03 is not accepted",
        ),
        (_swap("|^~\\&|", "|^~|"), InputError, "MSH-2", "encoding characters '^~'"),
        (_swap("|MSG00042|", "||"), InputError, "MSH-10", "required: it makes the idempotency"),
        (_swap("|PAS|", "||"), InputError, "MSH-3", "required"),
        (_swap("PSN-0042^^^DERM-HOSP^PI~", "~"), InputError, "PID-3.1", "required: the patient"),
        (_swap("|kg^kilogram^UCUM|", "|stone|"), InputError, "OBX-5", "unit 'stone' is not one of"),
        (_swap("|kg^kilogram^UCUM|", "||"), InputError, "OBX-5", "required: the unit"),
        (_swap("||71.5|", "||seventy|"), InputError, "OBX-5", "must be a number"),
        (_swap("||71.5|", "||715|"), InputError, "OBX-5", "weight_kg 715 is outside 0.3..350"),
        (
            _swap("UCUM|||||F|||20261125141000+0100\rOBX|2", "UCUM|||||P|||x\rOBX|2"),
            InputError,
            "OBX-11",
            "result status 'P' is not F or C",
        ),
        (
            _swap("8302-2^Body height", "29463-7^Body weight"),
            InputError,
            "OBX(2)-3",
            "a second weight_kg in one message",
        ),
        (
            _swap("29463-7^Body weight", "1234-5^Other").replace("8302-2^Body height", "x^y"),
            InputError,
            "OBX",
            "required: an OBX with body weight",
        ),
        (
            _swap("EVN|A08|20261125142500+0100", "EVN|A08|2026112514"),
            InputError,
            "EVN-2",
            "timestamp '2026112514' is not",
        ),
        (
            _swap("EVN|A08|20261125142500+0100", "EVN|A08|20261331142500"),
            InputError,
            "EVN-2",
            "timestamp '20261331142500': month must be in 1..12",
        ),
        # Clocks in Berlin jump from 02:00 to 03:00 on 29 March 2026.
        (
            _swap("EVN|A08|20261125142500+0100", "EVN|A08|202603290230"),
            InputError,
            "EVN-2",
            "local time 202603290230 does not exist in Europe/Berlin",
        ),
        (_swap("\rPID|", "\rpid|"), InputError, "segment 3", "'pid' is not a segment name"),
        ("\x0b" + A08, InputError, "MLLP", "start block (0x0B) without end block"),
    ],
)
def test_refusals_name_the_hl7_field(
    message: str, error: type[InputError], field: str, rule_start: str
) -> None:
    with pytest.raises(error) as refused:
        translate_hl7v2(message, BERLIN)
    assert type(refused.value) is error
    assert (refused.value.field, refused.value.rule[: len(rule_start)]) == (field, rule_start)


def test_unsupported_event_gets_ar_with_code_201() -> None:
    message = _swap("ADT^A08^ADT_A01", "ADT^A03^ADT_A03")
    with pytest.raises(UnsupportedMessage) as refused:
        translate_hl7v2(message, BERLIN)
    segments = refusal_ack(message, refused.value, now=NOW).split("\r")
    assert segments[1].startswith("MSA|AR|MSG00042|MSH-9.2: event ADT\\S\\A03")
    assert segments[2].startswith("ERR||MSH^1^9^1^2|201^Unsupported event code^HL70357|E")


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026; the first is still summer time.
    moment = parse_timestamp("202610250230", "EVN-2", BERLIN)
    assert moment == datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2)))


def test_patient_observation_fans_out_as_a_valid_ward_event_per_course() -> None:
    observation = translate_hl7v2(A08, BERLIN)
    event = observation.as_event("c-7f3a", actor="pas-derm")
    assert event == {
        "type": "observation.recorded",
        "course_id": "c-7f3a",
        "key": "hl7:PAS:MSG00042|course:c-7f3a",
        "occurred_at": "2026-11-25T14:25:00+01:00",
        "data": {"weight_kg": 71.5, "height_cm": 168.0},
        "actor": "pas-derm",
    }
    assert parse_ward_event(event).course_id == "c-7f3a"


def test_names_in_pid_never_reach_the_observation() -> None:
    assert "ZZTEST" not in translate_hl7v2(A08, BERLIN).model_dump_json()


offsets = st.integers(-12 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
    ).map(lambda moment: moment.replace(microsecond=0))
)
def test_timestamps_round_trip_with_their_offset(moment: datetime) -> None:
    parsed = parse_timestamp(format_timestamp(moment), "MSH-7", BERLIN)
    assert parsed == moment
    assert parsed.utcoffset() == moment.utcoffset()


separators = st.permutations("|^~\\&").map(lambda chars: Separators(*chars))


@given(separators=separators, text=st.text())
def test_escaping_round_trips_and_hides_every_separator(separators: Separators, text: str) -> None:
    escaped = separators.escaped(text)
    assert separators.unescape(escaped) == text
    for char in (separators.field, separators.component, separators.repetition):
        assert char not in escaped


@given(text=st.text(alphabet=st.characters(exclude_characters="\x0b\x1c")))
def test_mllp_frame_round_trips(text: str) -> None:
    assert unframe_mllp(frame_mllp(text)) == text


@given(kg=st.floats(min_value=1, max_value=300))
def test_pounds_and_kilograms_give_the_same_weight(kg: float) -> None:
    pounds = kg / 0.45359237
    from_pounds = measurement("weight_kg", f"{pounds:.6f}", "LB", "OBX-5")
    assert from_pounds == pytest.approx(measurement("weight_kg", kg, "kg", "OBX-5"), abs=0.011)
