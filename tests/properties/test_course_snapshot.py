"""Every course the state machine reaches survives its snapshot: text and back.

The course machine's random ward traffic (deviations, acknowledgements, holds,
long-term decisions, confirmations) with an invariant: the snapshot written for the
course parses to the course exactly as validating it from Python gives it (the
rows' path), value for value and type for type. Through the database, on both,
`tests/properties/test_course_persistence.py` compares snapshot and rows after
every step (`Ward.assert_consistent`).
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import invariant

from ivig_workflow.db import course_snapshot
from ivig_workflow.db.course_cache import LoadedCourse
from ivig_workflow.domain.course.model import Course
from tests.integration.same_course import assert_same
from tests.properties.test_course_machine import _SETTINGS, CourseMachine, LongTermMachine


class _Snapshotted:
    course: Course
    kept: LoadedCourse | None = None  # one course's, across the steps of an example

    @invariant()
    def the_snapshot_gives_the_course_back(self) -> None:
        loaded = LoadedCourse(version=7, last_seq=11, last_step=5)
        as_rows = course_snapshot.as_read_from_rows(self.course)
        text = course_snapshot.dump(as_rows, loaded, 7)
        back = course_snapshot.load(text, self.course.course_id, 7)
        assert back is not None
        assert (back.version, back.last_seq, back.last_step) == (7, 11, 5)
        assert back.course == self.course
        assert_same(back.course, Course.model_validate(as_rows.model_dump(warnings=False)))
        # Another version or another course: not this row's snapshot.
        assert course_snapshot.load(text, self.course.course_id, 8) is None
        assert course_snapshot.load(text, "another", 7) is None
        # Written again from what was read, the cycles cut out of the text are reused
        # as they stand, and give the same text.
        assert set(back.cycle_texts) == {cycle.number for cycle in back.course.cycles}
        again = course_snapshot.loaded_from(back)
        assert course_snapshot.dump(back.course, again, 7) == text

    @invariant()
    def cycles_written_before_are_reused_and_give_the_same_text(self) -> None:
        """As a cached course goes on: the texts of the steps before, reused where a
        cycle is still the same object, give the text a whole serialisation gives."""
        if self.kept is None:
            self.kept = LoadedCourse(version=7, last_seq=11, last_step=5)
        kept = self.kept
        as_rows = course_snapshot.as_read_from_rows(self.course, kept.cycle_texts)
        fresh = LoadedCourse(version=7, last_seq=11, last_step=5)
        whole = course_snapshot.dump(course_snapshot.as_read_from_rows(self.course), fresh, 7)
        assert course_snapshot.dump(as_rows, kept, 7) == whole


class SnapshottedCourse(_Snapshotted, CourseMachine):
    pass


class SnapshottedLongTerm(_Snapshotted, LongTermMachine):
    pass


TestSnapshottedCourse = SnapshottedCourse.TestCase
TestSnapshottedCourse.settings = settings(_SETTINGS, max_examples=25, stateful_step_count=120)
TestSnapshottedLongTerm = SnapshottedLongTerm.TestCase
TestSnapshottedLongTerm.settings = settings(_SETTINGS, max_examples=12, stateful_step_count=120)
