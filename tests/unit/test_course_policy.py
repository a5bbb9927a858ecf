"""config/course-policy.yaml: the shipped file, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_workflow import settings
from ivig_workflow.domain.course.policy import KAWASAKI_CITATION, CoursePolicy
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.course_policy import load_course_policy


def test_the_shipped_file_loads_and_matches_the_defaults() -> None:
    shipped = load_course_policy(settings.REPO_ROOT / "config")
    assert shipped.long_term.washout_prompt_every_cycles == 6
    kawasaki = shipped.retreatment["kawasaki-disease"]
    assert (kawasaki.max_retreatments, kawasaki.min_hours_after_infusion) == (1, 36)
    assert " ".join(kawasaki.citation.split()) == KAWASAKI_CITATION
    assert shipped == CoursePolicy()


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ("outpatient_window: {days_later: 60}\n", "outpatient_window.days_later", "less than"),
        (
            "long_term: {washout_prompt_every_cycles: 0}\n",
            "long_term.washout_prompt_every_cycles",
            "greater than",
        ),
        (
            "retreatment: {kawasaki-disease: {max_retreatments: 1}}\n",
            "retreatment.kawasaki-disease.citation",
            "Field required",
        ),
        ("outpatient_window: {days_before: 3}\n", "outpatient_window.days_before", "Extra"),
    ],
)
def test_a_bad_value_names_the_file_and_the_field(
    tmp_path: Path, body: str, field: str, rule: str
) -> None:
    (tmp_path / "course-policy.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_course_policy(tmp_path)
    assert caught.value.field.endswith(f"course-policy.yaml: {field}")
    assert rule in str(caught.value)
    assert "pydantic" not in str(caught.value)
