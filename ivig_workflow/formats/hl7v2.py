"""HL7 v2 ADT messages -> a `PatientObservation`; `build_ack`/`refusal_ack` answer them.

Only weight, height and eGFR in OBX segments are read; names and addresses in PID are
never looked at, so they cannot reach our logs.
"""

from __future__ import annotations

from datetime import tzinfo

from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.measures import Measure, measurement
from ivig_workflow.formats import UnsupportedMessage
from ivig_workflow.formats.hl7v2_ack import build_ack, refusal_ack
from ivig_workflow.formats.hl7v2_message import (
    Message,
    Segment,
    frame_mllp,
    parse_message,
    parse_timestamp,
    unframe_mllp,
)
from ivig_workflow.formats.observation import PatientObservation

__all__ = ["build_ack", "frame_mllp", "refusal_ack", "translate_hl7v2", "unframe_mllp"]

ADT_EVENTS = ("A01", "A04", "A08")  # admit, register, update patient information
# OBX-3 identifiers (code, text or alternate code), upper case.
OBX_MEASURES: dict[str, Measure] = {
    "29463-7": "weight_kg",
    "3141-9": "weight_kg",
    "WT": "weight_kg",
    "BODY WEIGHT": "weight_kg",
    "WEIGHT": "weight_kg",
    "8302-2": "height_cm",
    "HT": "height_cm",
    "BODY HEIGHT": "height_cm",
    "HEIGHT": "height_cm",
    "33914-3": "egfr",
    "62238-1": "egfr",
    "EGFR": "egfr",
}
MSH_LAST_REQUIRED = 12  # MSH-12, the version: MSH-9 type, -10 control id, -11 processing id
FINAL_STATUSES = ("F", "C", "")  # final, corrected, or not sent (common in ADT feeds)


def _check_type(message: Message, msh: Segment) -> None:
    kind, event = message.value(msh, 9, 1), message.value(msh, 9, 2)
    evn = message.first("EVN")
    if not event and evn is not None:
        event = message.value(evn, 1)  # before v2.3 the trigger event lived in EVN-1
    accepted = ", ".join(f"ADT^{code}" for code in ADT_EVENTS)
    if kind != "ADT":
        raise UnsupportedMessage(
            f"message type {kind}^{event} is not accepted; send {accepted}", element="MSH-9"
        )
    if event not in ADT_EVENTS:
        raise UnsupportedMessage(
            f"event ADT^{event} is not accepted; send {accepted}", element="MSH-9.2"
        )


def _measures(message: Message) -> dict[Measure, float]:
    found: dict[Measure, float] = {}
    for obx in message.all("OBX"):
        identifiers = {message.value(obx, 3, part).upper() for part in (1, 2, 4, 5)}
        measure = next((OBX_MEASURES[i] for i in sorted(identifiers) if i in OBX_MEASURES), None)
        if measure is None:
            continue  # other observations (BMI, allergies, ...) are not ours to record
        status = message.value(obx, 11)
        if status not in FINAL_STATUSES:
            raise InputError(obx.label(11), f"result status {status!r} is not F or C")
        if measure in found:
            raise InputError(obx.label(3), f"a second {measure} in one message")
        unit = message.value(obx, 6, 1) or message.value(obx, 6, 2)
        found[measure] = measurement(measure, message.value(obx, 5), unit, obx.label(5))
    if not found:
        raise InputError("OBX", "required: an OBX with body weight, height or eGFR")
    return found


def translate_hl7v2(text: str, default_time_zone: tzinfo) -> PatientObservation:
    """`default_time_zone` places timestamps sent without an offset (the centre's zone)."""
    message = parse_message(text)
    msh = message.segments[0]
    if len(msh.fields) <= MSH_LAST_REQUIRED:  # cut in transit: say so, not "type ^"
        raise InputError(
            "MSH",
            f"the MSH segment is incomplete: it ends at MSH-"
            f"{len(msh.fields) - 1}, MSH-9 to MSH-12 are required",
        )
    _check_type(message, msh)
    sender, control_id = message.value(msh, 3), message.value(msh, 10)
    for number, value in ((3, sender), (10, control_id)):
        if not value:
            raise InputError(msh.label(number), "required: it makes the idempotency key")
    pid = message.first("PID")
    if pid is None:
        raise InputError("PID", "required: the PID segment naming the patient")
    patient_ref = message.value(pid, 3)
    if not patient_ref:
        raise InputError(pid.label(3, 1), "required: the patient's pseudonymous reference")
    evn = message.first("EVN")
    when_segment, number = (evn, 2) if evn is not None and message.value(evn, 2) else (msh, 7)
    if not message.value(when_segment, number):
        raise InputError(msh.label(7), "required: when the message was made")
    occurred_at = parse_timestamp(
        message.value(when_segment, number), when_segment.label(number), default_time_zone
    )
    return PatientObservation(
        patient_ref=patient_ref,
        key=f"hl7:{sender}:{control_id}",
        occurred_at=occurred_at,
        **_measures(message),
    )
