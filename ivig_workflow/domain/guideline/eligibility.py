"""Is IVIg indicated for this patient, in which line, and why?

Data-driven from the indication's `LineOfTherapy`, `Adjuvant` and `Evidence`: no rule
here names an indication. Every reason cites the guideline passage behind it, so the
physician can check the decision against the words of the guideline.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ivig_workflow.domain.guideline.clinical_context import SEVERITY_RANK, ClinicalContext
from ivig_workflow.domain.guideline.first_line import criteria_met, is_exception
from ivig_workflow.domain.guideline.model import (
    FirstLineCriterion,
    Indication,
    LineOfTherapy,
    Source,
)
from ivig_workflow.domain.guideline.prior_therapy import (
    describe_requirements,
    describe_trials,
    first_met,
)

Verdict = Literal["indicated", "indicated_with_warnings", "not_indicated"]
LineOfUse = Literal["first", "second", "last_resort", "none"]
ReasonKind = Literal["reason", "warning", "blocker"]


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    text: str
    citation: str
    kind: ReasonKind


class Eligibility(BaseModel):
    model_config = ConfigDict(frozen=True)

    indication: str
    verdict: Verdict
    line_of_use: LineOfUse
    reasons: tuple[Reason, ...]


def assess_eligibility(indication: Indication, context: ClinicalContext) -> Eligibility:
    reasons = _Reasons()
    reasons.add("reason", *_evidence(indication))
    line_of_use = _line_of_use(indication, context, reasons)
    if line_of_use != "none":
        _adjuvant(indication, context, reasons)
    kinds = {reason.kind for reason in reasons.items}
    verdict: Verdict = (
        "not_indicated"
        if "blocker" in kinds
        else "indicated_with_warnings"
        if "warning" in kinds
        else "indicated"
    )
    return Eligibility(
        indication=indication.slug,
        verdict=verdict,
        line_of_use=line_of_use,
        reasons=tuple(reasons.items),
    )


class _Reasons:
    def __init__(self) -> None:
        self.items: list[Reason] = []

    def add(self, kind: ReasonKind, code: str, text: str, source: Source) -> None:
        self.items.append(Reason(code=code, text=text, citation=source.cite(), kind=kind))

    def has(self, code: str) -> bool:
        return any(reason.code == code for reason in self.items)


def _evidence(indication: Indication) -> tuple[str, str, Source]:
    evidence = indication.evidence
    label = f"evidence level {evidence.level or 'not stated'}, grade {evidence.grade or 'none'}"
    if evidence.grade in ("A", "B"):
        return "evidence", label, evidence.source
    return "weak_evidence", f"{label}: weaker evidence, for information", evidence.source


def _line_of_use(indication: Indication, context: ClinicalContext, reasons: _Reasons) -> LineOfUse:
    line = indication.line
    if not _gates_pass(line, context, reasons):
        return "none"
    if line.line == "first":
        reasons.add("reason", "first_line", "IVIg is a first-line treatment here", line.source)
        _add_first_line(criteria_met(line, context), reasons)
        return "first"
    use: LineOfUse = "second" if line.line == "second" else "last_resort"
    met = first_met(line.second_line_after, context.therapies_tried)
    first_line = criteria_met(line, context)
    if met is not None:
        text = f"prior therapy failed: {describe_requirements((met,))}"
        reasons.add("reason", "prior_therapy_failed", text, met.source)
    elif first_line:
        _add_first_line(first_line, reasons)
        use = "first"
    else:
        position = "second line" if line.line == "second" else "a last resort"
        text = f"IVIg is {position} here, after {describe_requirements(line.second_line_after)}"
        if line.first_line_when:
            text += "; first-line use needs " + " or ".join(c.text for c in line.first_line_when)
        text += f" (tried: {describe_trials(context.therapies_tried)})"
        reasons.add("blocker", "prior_therapy_required", text, line.source)
        return "none"
    if line.line == "last_resort":
        text = "a last resort: no conclusive assessment of IVIg is possible yet"
        reasons.add("warning", "last_resort", text, line.source)
    return use


def _gates_pass(line: LineOfTherapy, context: ClinicalContext, reasons: _Reasons) -> bool:
    """No recommendation, too mild, or an unconfirmed diagnosis stop before any line."""
    if line.line == "no_recommendation":
        text = "the guideline gives no recommendation for IVIg"
        reasons.add("blocker", "no_recommendation", text, line.source)
        return False
    required = line.requires_severity
    if required is not None and (
        context.severity is None or SEVERITY_RANK[context.severity] < SEVERITY_RANK[required]
    ):
        text = f"IVIg is for {required} forms; severity is {context.severity or 'not stated'}"
        reasons.add("blocker", "severity_insufficient", text, line.severity_source or line.source)
        return False
    if line.requires_confirmed_diagnosis:
        if not context.diagnosis_confirmed:
            text = "IVIg is given once the diagnosis is confirmed; it is not confirmed"
            reasons.add("blocker", "diagnosis_unconfirmed", text, line.source)
            return False
        text = "diagnosis confirmed: give IVIg at once"
        reasons.add("reason", "confirmed_diagnosis", text, line.source)
    return True


def _add_first_line(criteria: list[FirstLineCriterion], reasons: _Reasons) -> None:
    for criterion in criteria:
        if reasons.has(criterion.code):
            continue
        if is_exception(criterion):
            text = f"first line as an exception, on a contraindication: {criterion.text}"
            reasons.add("warning", criterion.code, text, criterion.source)
        else:
            reasons.add("reason", criterion.code, f"first line: {criterion.text}", criterion.source)


def _adjuvant(indication: Indication, context: ClinicalContext, reasons: _Reasons) -> None:
    adjuvant = indication.adjuvant
    if not adjuvant.immunosuppression_required:
        text = "may be given without concomitant immunosuppression"
        reasons.add("reason", "monotherapy_allowed", text, adjuvant.source)
    elif context.concomitant_immunosuppression:
        text = "adjuvant to continued immunosuppression"
        reasons.add("reason", "adjuvant", text, adjuvant.source)
    elif context.concomitant_immunosuppression is None:
        text = "concomitant immunosuppression not stated: IVIg is adjuvant to it here"
        reasons.add("warning", "immunosuppression_not_stated", text, adjuvant.source)
    else:
        text = "IVIg monotherapy: here it is adjuvant to continued immunosuppression"
        reasons.add("warning", "monotherapy", text, adjuvant.source)
