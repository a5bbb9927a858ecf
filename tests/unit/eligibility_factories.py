"""Indications built in code, to test the eligibility engine apart from the YAML data.

Each source quotes the guideline for real, so citations in these tests are genuine.
"""

from __future__ import annotations

from ivig_workflow.domain.guideline.model import (
    Adjuvant,
    DaysPerCycle,
    Dose,
    Efficacy,
    FirstLineCriterion,
    Indication,
    Interval,
    Line,
    LineOfTherapy,
    LongTerm,
    PriorTherapyRequirement,
    Severity,
    Source,
    TherapyFailure,
)

SEVERE_FORMS = Source(
    section="Autoimmune blistering diseases",
    item=1,
    quote="All severe forms of autoimmune diseases which are refractory to therapy",
)
SECOND_LINE = Source(
    section="Autoimmune blistering diseases",
    item=2,
    quote="immunoglobulins should only be used as a second-line treatment",
)
ISOLATED_CASES = Source(
    section="Autoimmune blistering diseases",
    item=2,
    quote="may in isolated cases justify the use of IVIg as a first-line treatment",
)
FULMINANT = Source(
    section="Dermatomyositis",
    item=2,
    quote="In patients with fulminant progressive courses, severe myolysis or paralysis",
)
ADJUVANT = Source(
    section="Autoimmune blistering diseases",
    item=2,
    quote="IVIg is an adjuvant therapy which must be administered while continuing",
)
GENERIC = Source(section="Table 2", quote="Recommended dosage regimens")

STEROIDS_AND_IMMUNOSUPPRESSANT = PriorTherapyRequirement(
    all_of=(
        TherapyFailure(therapy="systemic_steroids", outcomes=("no_improvement", "refractory")),
        TherapyFailure(therapy="immunosuppressant", outcomes=("no_improvement", "refractory")),
    ),
    source=SECOND_LINE,
)
STEROIDS_A_MONTH = PriorTherapyRequirement(
    all_of=(
        TherapyFailure(therapy="systemic_steroids", min_weeks=4, outcomes=("no_improvement",)),
    ),
    source=SECOND_LINE,
)
STANDARD_THERAPY = PriorTherapyRequirement(
    all_of=(TherapyFailure(therapy="standard_therapy", outcomes=("refractory",)),),
    source=SECOND_LINE,
)


def criterion(code: str, source: Source = FULMINANT) -> FirstLineCriterion:
    return FirstLineCriterion.model_validate(
        {"code": code, "text": code.replace("_", " "), "source": source}
    )


def make_line(
    line: Line = "second",
    *,
    requires_severity: Severity | None = "severe",
    requires_confirmed_diagnosis: bool = False,
    first_line_when: tuple[FirstLineCriterion, ...] = (),
    second_line_after: tuple[PriorTherapyRequirement, ...] = (STEROIDS_AND_IMMUNOSUPPRESSANT,),
    with_severity_source: bool = True,
) -> LineOfTherapy:
    return LineOfTherapy(
        line=line,
        requires_severity=requires_severity,
        severity_source=SEVERE_FORMS if with_severity_source else None,
        requires_confirmed_diagnosis=requires_confirmed_diagnosis,
        first_line_when=first_line_when,
        second_line_after=second_line_after,
        source=SECOND_LINE,
    )


def make_indication(
    line: LineOfTherapy | None = None,
    *,
    grade: str | None = "B",
    immunosuppression_required: bool = True,
) -> Indication:
    return Indication.model_validate(
        {
            "slug": "test-indication",
            "name": "Test indication",
            "group": "test",
            "evidence": {"level": "III", "grade": grade, "source": SEVERE_FORMS},
            "line": line or make_line(),
            "initial_duration": {"months_min": 3, "months_max": 6, "source": GENERIC},
            "interval": Interval(initial_weeks=4, max_weeks=6, step_weeks=1, source=GENERIC),
            "dose": Dose(g_per_kg=2, min_g_per_kg=2, max_g_per_kg=2, source=GENERIC),
            "days": DaysPerCycle(min=2, default=3, max=5, source=GENERIC),
            "efficacy": Efficacy(measures=("clinical picture",), source=GENERIC),
            "long_term": LongTerm(policy="rare", source=GENERIC),
            "adjuvant": Adjuvant(
                immunosuppression_required=immunosuppression_required, source=ADJUVANT
            ),
        }
    )
