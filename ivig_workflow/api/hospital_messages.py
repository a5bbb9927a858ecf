"""What FHIR and HL7 v2 messages have in common once translated: each ward event goes
through the inbox (same idempotency as our JSON), each patient observation reaches
the patient's open courses, and the message itself is kept with its outcome."""

from __future__ import annotations

import json

from ivig_workflow.api.context import ApiContext
from ivig_workflow.api.scopes import Forbidden, Principal, check_courses, course_centres
from ivig_workflow.formats.observation import PatientObservation
from ivig_workflow.service.patient_observations import (
    open_course_ids,
    record_patient_observation,
)
from ivig_workflow.service.received_messages import Format, keep_message
from ivig_workflow.service.ward_events import EventAnswer, receive_event

Translated = dict[str, object] | PatientObservation


def no_open_course(observation: PatientObservation) -> EventAnswer:
    return EventAnswer(
        status="unknown_course",
        key=observation.key,
        type="observation.recorded",
        reason=f"patient {observation.patient_ref!r} has no open course",
    )


def check_scope(
    items: list[Translated], raw: str, format: Format, caller: Principal, context: ApiContext
) -> None:
    """A message naming a course outside the token's centres is refused whole (kept, as
    refused), so that a ward never has to work out which half of it we took."""
    targets = [
        (f"[{n}].course_id", str(item["course_id"]))
        for n, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("course_id"), str)
    ]
    try:
        check_courses(caller, context.engine, targets)
    except Forbidden as error:
        refuse(
            raw,
            format,
            "forbidden",
            str(error),
            unsupported=True,
            context=context,
            sender=caller.name,
        )
        raise


def _in_scope(
    observation: PatientObservation, caller: Principal, context: ApiContext
) -> list[str] | None:
    """The patient's open courses the token may touch (None: all of them). A patient
    treated at two centres gets a ward's measurement in that ward's courses only."""
    if caller.everywhere:
        return None
    course_ids = open_course_ids(context.engine, observation.patient_ref)
    centres = course_centres(context.engine, course_ids)
    return [c for c in course_ids if caller.covers(centres.get(c))]


def deliver(items: list[Translated], context: ApiContext, caller: Principal) -> list[EventAnswer]:
    answers: list[EventAnswer] = []
    sender = caller.name
    for item in items:
        if isinstance(item, PatientObservation):
            fanned = record_patient_observation(
                item,
                engine=context.engine,
                rulebook=context.rulebook,
                now=context.now(),
                sender=sender,
                course_ids=_in_scope(item, caller, context),
            )
            answers += fanned or [no_open_course(item)]
        else:
            answers.append(
                receive_event(
                    json.dumps(item),
                    engine=context.engine,
                    rulebook=context.rulebook,
                    now=context.now(),
                    sender=sender,
                )
            )
    return answers


def keep(
    raw: str, format: Format, answers: list[EventAnswer], context: ApiContext, sender: str
) -> None:
    taken = [a for a in answers if a.status in ("applied", "duplicate", "refused")]
    reasons = "; ".join(a.reason for a in answers if a.reason and a not in taken)
    keep_message(
        raw,
        format=format,
        outcome="accepted" if taken else "refused",
        reason=reasons or None,
        engine=context.engine,
        now=context.now(),
        sender=sender,
        event_keys=[a.key for a in answers if a.key],
    )


def refuse(
    raw: str,
    format: Format,
    field: str,
    rule: str,
    *,
    unsupported: bool,
    context: ApiContext,
    sender: str,
) -> None:
    keep_message(
        raw,
        format=format,
        outcome="refused" if unsupported else "invalid",
        reason=f"{field}: {rule}",
        engine=context.engine,
        now=context.now(),
        sender=sender,
    )
