"""What justifies IVIg as a first-line treatment, read from the indication's criteria."""

from __future__ import annotations

from ivig_workflow.domain.guideline.clinical_context import ClinicalContext
from ivig_workflow.domain.guideline.model import (
    FirstLineCriterion,
    FirstLineCriterionCode,
    LineOfTherapy,
)

# First-line use on a contraindication to standard immunosuppression is an exception
# (blistering diseases: "in isolated cases"): it never passes without a warning.
_CONTRAINDICATION_CODES: frozenset[FirstLineCriterionCode] = frozenset(
    {
        "aseptic_bone_necrosis",
        "poorly_controlled_diabetes",
        "advanced_osteoporosis",
        "cataracts",
        "contraindication_to_immunosuppression",
    }
)


def criteria_met(line: LineOfTherapy, context: ClinicalContext) -> list[FirstLineCriterion]:
    return [c for c in line.first_line_when if _met(c.code, context)]


def is_exception(criterion: FirstLineCriterion) -> bool:
    return criterion.code in _CONTRAINDICATION_CODES


def _met(code: FirstLineCriterionCode, context: ClinicalContext) -> bool:
    if code == "always":
        return True
    if code == "confirmed_diagnosis":
        return context.diagnosis_confirmed
    if code == "contraindication_to_immunosuppression":
        # Any contraindication, "other" included; the named ones need their own code.
        return bool(context.contraindications)
    return code in context.features or code in context.contraindications
