"""What must have failed before IVIg, and whether the therapies tried meet it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ivig_workflow.domain.guideline.clinical_context import TherapyTrial
from ivig_workflow.domain.guideline.model import (
    Outcome,
    PriorTherapyRequirement,
    Therapy,
    TherapyFailure,
)

_THERAPY_NAMES: dict[Therapy, str] = {
    "systemic_steroids": "systemic steroids",
    "immunosuppressant": "another immunosuppressant",
    "standard_therapy": "standard therapy",
}
_OUTCOME_NAMES: dict[Outcome, str] = {
    "no_improvement": "no improvement",
    "flare_on_tapering": "a flare on tapering",
    "side_effects": "side effects preventing further use",
    "severe_complications": "severe complications",
    "refractory": "refractory disease",
    "response": "a response",
}


def first_met(
    requirements: Iterable[PriorTherapyRequirement], trials: Sequence[TherapyTrial]
) -> PriorTherapyRequirement | None:
    """The first requirement whose every failure the trials show, if any."""
    for requirement in requirements:
        if all(_failure_met(failure, trials) for failure in requirement.all_of):
            return requirement
    return None


def _failure_met(failure: TherapyFailure, trials: Sequence[TherapyTrial]) -> bool:
    return any(
        _covers(failure.therapy, trial.therapy)
        and trial.outcome in failure.outcomes
        and (failure.min_weeks is None or trial.weeks >= failure.min_weeks)
        for trial in trials
    )


def _covers(required: Therapy, tried: Therapy) -> bool:
    # Steroids and immunosuppressants are themselves standard therapy, so a failure
    # of either meets a requirement for "standard therapy"; never the other way round.
    return required == tried or required == "standard_therapy"


def describe_requirements(requirements: Iterable[PriorTherapyRequirement]) -> str:
    described = [" plus ".join(map(_describe_failure, r.all_of)) for r in requirements]
    return ", or ".join(described) or "a prior-therapy requirement (none is recorded)"


def _describe_failure(failure: TherapyFailure) -> str:
    weeks = f" for at least {failure.min_weeks} weeks" if failure.min_weeks else ""
    outcomes = " or ".join(_OUTCOME_NAMES[outcome] for outcome in failure.outcomes)
    return f"{_THERAPY_NAMES[failure.therapy]}{weeks} with {outcomes}"


def describe_trials(trials: Sequence[TherapyTrial]) -> str:
    if not trials:
        return "nothing"
    return ", ".join(
        f"{_THERAPY_NAMES[t.therapy]} {t.weeks} weeks, {_OUTCOME_NAMES[t.outcome]}" for t in trials
    )
