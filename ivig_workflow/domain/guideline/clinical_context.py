"""What the physician tells us about the patient when asking whether IVIg is indicated.

Only clinical facts, never identity: the context carries no name and no reference to
a person, so it can be logged and echoed freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.model import Outcome, Severity, Therapy

# Disease features that can justify first-line use (dermatomyositis, vasculitis).
Feature = Literal["fulminant_course", "severe_myolysis", "paralysis"]
# Contraindications to standard immunosuppression. "other" stands for any
# contraindication the guideline does not name; it only satisfies a criterion that
# asks for a contraindication in general, never one of the named ones.
Contraindication = Literal[
    "aseptic_bone_necrosis",
    "poorly_controlled_diabetes",
    "advanced_osteoporosis",
    "cataracts",
    "other",
]

SEVERITY_RANK: dict[Severity, int] = {"mild": 0, "moderate": 1, "severe": 2}


class TherapyTrial(BaseModel):
    """A standard therapy already tried: what, for how long, and how it ended."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    therapy: Therapy
    weeks: int = Field(ge=0, le=520)
    outcome: Outcome


class ClinicalContext(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # None means "not stated": the engine will not assume a severe form.
    severity: Severity | None = None
    diagnosis_confirmed: bool = False
    features: frozenset[Feature] = frozenset()
    contraindications: frozenset[Contraindication] = frozenset()
    therapies_tried: tuple[TherapyTrial, ...] = ()
    # None means "not stated", which warns like monotherapy where IVIg is adjuvant.
    concomitant_immunosuppression: bool | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ClinicalContext:
        """Validate outside input, turning the first pydantic error into an InputError."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise _input_error(error) from None


def _input_error(error: ValidationError) -> InputError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "context"
    rule = first["msg"]
    if first["type"] == "literal_error":
        expected = (first.get("ctx") or {}).get("expected")
        rule = f"expected one of {expected}, got {first['input']!r}"
    return InputError(field, rule)
