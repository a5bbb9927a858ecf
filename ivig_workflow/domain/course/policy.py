"""What a centre sets about running courses where the guideline gives no number:
how often a continued long-term course comes back to the physician, the Kawasaki
retreatment, and how far an outpatient cycle may move to fit the centre's week.

Loaded from `config/course-policy.yaml` (`ivig_workflow.loading.course_policy`);
the defaults here are the shipped file's values, so tests can build rules without it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

KAWASAKI_CITATION = (
    "clinical reference (/work/shared/clinical-reference.md): Kawasaki disease: up to "
    "15 % do not respond; a second 2 g/kg dose is usual when fever persists 36 h after "
    "the first infusion ends."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LongTermDecisions(_Model):
    # After a physician continues a long-term course, the decision (and with it the
    # prompt to attempt a washout) comes back after this many further cycles.
    washout_prompt_every_cycles: int = Field(default=6, ge=1, le=52)


class Retreatment(_Model):
    """A second cycle within a single-cycle course when the first did not work."""

    max_retreatments: int = Field(default=1, ge=0, le=3)
    min_hours_after_infusion: float = Field(default=36, gt=0, le=24 * 14)
    citation: str = Field(min_length=8)


class CycleWindow(_Model):
    """How far an outpatient cycle's start may move from its target date so that
    all its days are consecutive open days of the centre."""

    days_earlier: int = Field(default=7, ge=0, le=28)
    days_later: int = Field(default=7, ge=0, le=28)


class CoursePolicy(_Model):
    long_term: LongTermDecisions = LongTermDecisions()
    # By indication slug; an indication not listed gets no retreatment.
    retreatment: dict[str, Retreatment] = Field(
        default_factory=lambda: {"kawasaki-disease": Retreatment(citation=KAWASAKI_CITATION)}
    )
    outpatient_window: CycleWindow = CycleWindow()
