"""Load the centre's course policy from `config/course-policy.yaml`."""

from __future__ import annotations

from pathlib import Path

from ivig_workflow import settings
from ivig_workflow.domain.course.policy import CoursePolicy
from ivig_workflow.loading.config_file import load_yaml_as

FILE = "course-policy.yaml"


def load_course_policy(config_dir: Path | None = None) -> CoursePolicy:
    path = (settings.config_dir() if config_dir is None else config_dir) / FILE
    return load_yaml_as(CoursePolicy, path)
