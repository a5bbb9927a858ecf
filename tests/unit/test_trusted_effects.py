"""Release and overdue effects built without validation (`domain.course.trusted`) are
the effects validation would build from the same values: equal, dumped to the same
JSON, with the same types, each with containers of its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ivig_workflow.domain.course.effects import Notification, Role, WorkItem
from ivig_workflow.domain.course.handlers.release import overdue_effects, release_effects
from ivig_workflow.domain.course.trusted import trusted
from tests.unit.course_factories import GUIDELINE, Ward

MONDAY = date(2025, 1, 6)
SLUGS = sorted(GUIDELINE.indications)
FACTORS = ["renal insufficiency", "diabetes", "age > 65", "nephrotoxic drugs"]


def _validated(effect: BaseModel) -> BaseModel:
    """The same effect as validation builds it, from its values as the domain gave them."""
    return type(effect)(**{name: getattr(effect, name) for name in type(effect).model_fields})


def _same(built: BaseModel) -> None:
    checked = _validated(built)
    assert built == checked
    assert built.model_dump_json() == checked.model_dump_json()
    assert repr(built) == repr(checked)
    assert built.model_fields_set == checked.model_fields_set
    for name in type(built).model_fields:
        assert type(getattr(built, name)) is type(getattr(checked, name)), name


@settings(max_examples=60, deadline=None)
@given(
    slug=st.sampled_from(SLUGS),
    weight=st.floats(min_value=20, max_value=180).map(lambda w: round(w, 1)),
    factors=st.lists(st.sampled_from(FACTORS), unique=True, max_size=3),
    moves=st.integers(min_value=0, max_value=3),
    start=st.integers(min_value=0, max_value=400).map(lambda d: MONDAY + timedelta(days=d)),
)
def test_release_and_overdue_effects_are_those_validation_builds(
    slug: str, weight: float, factors: list[str], moves: int, start: date
) -> None:
    ward = Ward.start(slug, start, weight_kg=weight)
    cycle = ward.course.cycles[0]
    plan = cycle.plan.model_copy(update={"renal_risk_factors": tuple(factors)})
    cycle = cycle.model_copy(update={"plan": plan, "moves": moves})
    effects = [
        *release_effects(ward.course, cycle, ward.rules),
        *overdue_effects(ward.course, cycle, ward.rules),
    ]
    assert [type(e).__name__ for e in effects] == ["WorkItem"] * 3 + ["Notification"] + [
        "WorkItem",
        "Notification",
    ]
    for effect in effects:
        _same(effect)
    # Validation copies what it is given: no two effects share a container.
    containers = [id(e.data) for e in effects]
    containers += [id(v) for e in effects for v in e.data.values() if isinstance(v, list | dict)]
    assert len(containers) == len(set(containers))


def test_what_validation_refuses_is_refused_the_same() -> None:
    values = {
        "course_id": "c-1",
        "role": Role.PHYSICIAN,
        "data": {},
        "rule": "cycle.released",
        "citation": "ivig-workflow policy: test",
        "subject": "s",
        "body": "b",
    }
    for key in ["", "k" * 201]:
        with pytest.raises(ValidationError, match="key"):
            trusted(Notification, key=key, **values)
    with pytest.raises(ValidationError, match="kind"):
        trusted(Notification, key="k", kind="book_chairs", **values)  # not a field of it
    without_body = {name: value for name, value in values.items() if name != "body"}
    with pytest.raises(ValidationError, match="body"):
        trusted(Notification, key="k", **without_body)
    assert trusted(Notification, key="k" * 200, **values) == Notification(key="k" * 200, **values)
    assert isinstance(trusted(Notification, key="k", **values), Notification)
    assert not isinstance(trusted(Notification, key="k", **values), WorkItem)
