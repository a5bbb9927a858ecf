"""The EDF/EADV guideline as typed data.

The YAML under `config/guideline/` is validated against these models at load. Every
rule carries the `Source` it comes from: the section of the guideline, the numbered
question in that section and a verbatim quote, so that every decision the software
makes can be traced back to the words of the guideline.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivig_workflow.domain.errors import UnknownIndication

Severity = Literal["mild", "moderate", "severe"]
Line = Literal["first", "second", "last_resort", "no_recommendation"]
Therapy = Literal["systemic_steroids", "immunosuppressant", "standard_therapy"]
Outcome = Literal[
    "no_improvement",  # failed to improve within the trial period
    "flare_on_tapering",  # disease flared when the dose was reduced
    "side_effects",  # side effects prevent further use
    "severe_complications",
    "refractory",  # generic failure of standard therapy
    "response",  # it worked: never a reason for IVIg
]
FirstLineCriterionCode = Literal[
    "always",  # Kawasaki disease: IVIg is the treatment of first choice
    "confirmed_diagnosis",  # TEN: as soon as the diagnosis is confirmed
    "fulminant_course",
    "severe_myolysis",
    "paralysis",
    "aseptic_bone_necrosis",
    "poorly_controlled_diabetes",
    "advanced_osteoporosis",
    "cataracts",
    "contraindication_to_immunosuppression",
]
LengtheningCondition = Literal[
    "renal_impairment",
    "cardiac_impairment",
    "organ_involvement_kidney",
    "organ_involvement_heart",
]
LongTermPolicy = Literal["single_cycle", "rare", "exceptional", "individual"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where in the guideline a rule comes from."""

    section: str = Field(min_length=1)
    item: int | None = Field(default=None, ge=1, le=8)
    quote: str = Field(min_length=8)

    def cite(self) -> str:
        where = self.section if self.item is None else f"{self.section}, item {self.item}"
        return f'EDF/EADV IVIg guideline, {where}: "{self.quote}"'


class Evidence(_Model):
    level: str | None
    grade: Literal["A", "B", "C", "D"] | None
    note: str | None = None
    source: Source


class TherapyFailure(_Model):
    """A prior therapy that must have been tried, for how long, and how it failed."""

    therapy: Therapy
    min_weeks: int | None = Field(default=None, ge=0)
    outcomes: tuple[Outcome, ...] = Field(min_length=1)


class PriorTherapyRequirement(_Model):
    """One way to qualify for second-line use: every failure listed must be present."""

    all_of: tuple[TherapyFailure, ...] = Field(min_length=1)
    source: Source


class FirstLineCriterion(_Model):
    code: FirstLineCriterionCode
    text: str
    source: Source


class LineOfTherapy(_Model):
    line: Line
    requires_severity: Severity | None = "severe"
    # The passage that restricts IVIg to severe forms ("All severe forms of ...");
    # eligibility cites it when the severity falls short, else falls back to `source`.
    severity_source: Source | None = None
    requires_confirmed_diagnosis: bool = False
    first_line_when: tuple[FirstLineCriterion, ...] = ()
    second_line_after: tuple[PriorTherapyRequirement, ...] = ()
    source: Source


class InitialDuration(_Model):
    months_min: int | None = Field(default=None, ge=0)
    months_max: int | None = Field(default=None, ge=0)
    source: Source


class Interval(_Model):
    initial_weeks: int = Field(ge=1)
    max_weeks: int = Field(ge=1)
    step_weeks: int = Field(ge=0)
    source: Source

    @model_validator(mode="after")
    def _initial_within_max(self) -> Interval:
        if self.initial_weeks > self.max_weeks:
            raise ValueError("initial_weeks must not exceed max_weeks")
        return self


class Dose(_Model):
    g_per_kg: float = Field(gt=0)
    min_g_per_kg: float = Field(gt=0)
    max_g_per_kg: float = Field(gt=0)
    # A lower dose the physician may choose (vasculitis with renal involvement);
    # never applied unless asked for.
    reduced_g_per_kg: float | None = Field(default=None, gt=0)
    reduced_when: str | None = None
    source: Source

    @model_validator(mode="after")
    def _default_within_range(self) -> Dose:
        if not self.min_g_per_kg <= self.g_per_kg <= self.max_g_per_kg:
            raise ValueError("g_per_kg must lie within min_g_per_kg..max_g_per_kg")
        return self


class DayLengthening(_Model):
    condition: LengtheningCondition
    days: int = Field(ge=1)
    lower_rate: bool = False
    source: Source


class DaysPerCycle(_Model):
    min: int = Field(ge=1)
    default: int = Field(ge=1)
    max: int = Field(ge=1)
    lengthened_by: tuple[DayLengthening, ...] = ()
    # Acute inpatient treatment (TEN, Kawasaki disease) runs on consecutive calendar
    # days: a ward does not pause an intensive-care patient's cycle for a weekend.
    every_day: bool = False
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> DaysPerCycle:
        if not self.min <= self.default <= self.max:
            raise ValueError("days must satisfy min <= default <= max")
        for lengthening in self.lengthened_by:
            if not self.min <= lengthening.days <= self.max:
                raise ValueError(f"{lengthening.condition}: days outside min..max")
        return self


class Efficacy(_Model):
    measures: tuple[str, ...] = Field(min_length=1)
    not_measures: tuple[str, ...] = ()
    response_expected_from_cycle: int | None = Field(default=None, ge=1)
    source: Source


class LongTerm(_Model):
    policy: LongTermPolicy
    review_at_cycle: int | None = Field(default=None, ge=1)
    washout_after_cycle: int | None = Field(default=None, ge=1)
    cycles_planned: int | None = Field(default=None, ge=1)
    resume_on_relapse: bool = True
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> LongTerm:
        if self.policy == "single_cycle" and self.cycles_planned != 1:
            raise ValueError("single_cycle courses must plan exactly 1 cycle")
        if (
            self.review_at_cycle is not None
            and self.washout_after_cycle is not None
            and self.washout_after_cycle <= self.review_at_cycle
        ):
            raise ValueError("washout_after_cycle must come after review_at_cycle")
        return self

    @property
    def needs_decision(self) -> bool:
        """Long-term use only in rare or exceptional cases, with no washout cycle the
        guideline sets: past the initial duration a physician decides, with a
        justification, whether the course continues (blistering diseases,
        vasculitis, lupus). Where the guideline sets the washout (dermatomyositis
        after 12 cycles) the course follows it instead."""
        return self.policy in ("rare", "exceptional") and self.washout_after_cycle is None


class Adjunct(_Model):
    drug: str
    dose_mg_per_kg_per_day: float = Field(gt=0)
    source: Source


class Adjuvant(_Model):
    """Whether IVIg must be given with continued immunosuppression."""

    immunosuppression_required: bool
    source: Source


class Indication(_Model):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    group: str
    evidence: Evidence
    line: LineOfTherapy
    initial_duration: InitialDuration
    interval: Interval
    dose: Dose
    days: DaysPerCycle
    efficacy: Efficacy
    long_term: LongTerm
    adjuvant: Adjuvant
    adjuncts: tuple[Adjunct, ...] = ()
    # Conditions under which the infusion rate must be lowered (renal involvement).
    lower_rate_when: tuple[DayLengthening, ...] = ()

    @property
    def single_cycle(self) -> bool:
        return self.long_term.cycles_planned == 1


class GuidelineGroup(_Model):
    """One file under config/guideline/: an indication group."""

    group: str
    name: str
    indications: tuple[Indication, ...] = Field(min_length=1)


class Guideline(_Model):
    version: str = Field(min_length=1)
    title: str
    indications: dict[str, Indication]

    def indication(self, slug: str) -> Indication:
        try:
            return self.indications[slug]
        except KeyError:
            raise UnknownIndication(slug) from None
