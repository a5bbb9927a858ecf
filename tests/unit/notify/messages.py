"""Messages for the notification tests: pseudonymous references only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.notify.message import OutgoingMessage

CREATED = datetime(2025, 3, 4, 7, 30, tzinfo=UTC)


def message(
    key: str = "course-17/cycle-3/prepare-product",
    role: Role = Role.PHARMACY,
    data: dict[str, Any] | None = None,
) -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        course_id="course-17",
        role=role,
        subject="Prepare IVIg for course-17 cycle 3 by 2025-03-06",
        body="Prepare 140 g (7 x 20 g) for patient PT-7F3A, course-17, cycle 3 day 1.",
        data={"patient_ref": "PT-7F3A", "cycle": 3, "grams": 140} if data is None else data,
        created_at=CREATED,
    )
