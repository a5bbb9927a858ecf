from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names

from .messages import message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x"}, "data.name"),
        ({"first_name": "x"}, "data.first_name"),
        ({"surname": "x"}, "data.surname"),
        ({"patient_name": "x"}, "data.patient_name"),
        ({"patientName": "x"}, "data.patientName"),
        ({"Last-Name": "x"}, "data.Last-Name"),
        ({"patient": {"ref": "PT-1", "family_name": "x"}}, "data.patient.family_name"),
        ({"contacts": [{"ok": 1}, {"full_name": "x"}]}, "data.contacts[1].full_name"),
    ],
)
def test_a_field_named_like_a_persons_name_is_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as refused:
        refuse_person_names(message(data=data))
    assert refused.value.field == field
    assert "never names" in refused.value.rule


@pytest.mark.parametrize(
    "data",
    [
        {"patient_ref": "PT-7F3A", "course_id": "course-17"},
        {"product_name": "Privigen", "lot_numbers": ["A1"]},
        {},
    ],
)
def test_pseudonymous_references_and_product_names_pass(data: dict[str, Any]) -> None:
    refuse_person_names(message(data=data))


def test_created_at_must_be_aware() -> None:
    fields = message().model_dump()
    fields["created_at"] = datetime(2025, 3, 4, 7, 30)
    with pytest.raises(ValidationError, match="created_at"):
        OutgoingMessage(**fields)


def test_role_must_be_one_of_the_four() -> None:
    fields = message().model_dump()
    fields["role"] = "receptionist"
    with pytest.raises(ValidationError, match="role"):
        OutgoingMessage(**fields)


def test_message_is_frozen() -> None:
    with pytest.raises(ValidationError):
        message().subject = "changed"  # type: ignore[misc]
