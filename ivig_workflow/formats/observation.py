"""A measurement about a patient as a hospital message brings it.

A weight or height from an admission system belongs to the patient, not to one course:
the service fans a `PatientObservation` out to every open course of that patient.
Units and plausible ranges are the domain's (`ivig_workflow.domain.measures`).
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ivig_workflow.domain.measures import Egfr, HeightCm, WeightKg


class PatientObservation(BaseModel):
    """Weight, height or renal function measured for a patient (pseudonymous reference)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_ref: str = Field(min_length=1)
    key: str = Field(min_length=1)
    occurred_at: AwareDatetime
    weight_kg: WeightKg | None = None
    height_cm: HeightCm | None = None
    egfr: Egfr | None = None

    @model_validator(mode="after")
    def _measures_something(self) -> PatientObservation:
        if self.weight_kg is None and self.height_cm is None and self.egfr is None:
            raise ValueError("at least one of weight_kg, height_cm, egfr")
        return self

    def measures(self) -> dict[str, float]:
        return {
            name: value
            for name, value in (
                ("weight_kg", self.weight_kg),
                ("height_cm", self.height_cm),
                ("egfr", self.egfr),
            )
            if value is not None
        }

    def as_event(self, course_id: str, actor: str | None = None) -> dict[str, Any]:
        """The observation.recorded event for one open course of the patient. The key is
        per course, because the inbox keeps each key once and one message reaches many."""
        event: dict[str, Any] = {
            "type": "observation.recorded",
            "course_id": course_id,
            "key": f"{self.key}|course:{course_id}",
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.measures(),
        }
        if actor is not None:
            event["actor"] = actor
        return event
