"""A stateful hypothesis test over the database, with an injected clock.

Random ward events (infusion days in any order, resent keys, assessments,
relapses, holds, adverse events, new weights, long-term decisions) and sweeps as the clock moves on,
all through `receive_event` and `sweep_due`. After every step: only legal
transitions in the log, gapless; the interval within the guideline's maximum; no
cycle released while the course may not receive one; no effect stored twice; and
replaying the log rebuilds the stored course.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import Engine, func, select
from sqlmodel import col

from ivig_workflow.db.tables import OutboxRow, TransitionLogRow, WorkItemRow
from ivig_workflow.service.unit_of_work import reading
from tests.integration.course_driver import RULEBOOK, Ward, row_counts

BLOCKED = {
    "response_review",
    "long_term_decision",
    "washout",
    "on_hold",
    "completed",
    "discontinued",
}
INDICATIONS = ["dermatomyositis", "pemphigus-vulgaris", "toxic-epidermal-necrolysis"]


def _machine(engine: Engine) -> type[RuleBasedStateMachine]:
    class StoredCourse(RuleBasedStateMachine):
        ward: Ward
        keys: list[str]

        @initialize(indication=st.sampled_from(INDICATIONS), head_start=st.sampled_from([0, 5, 11]))
        def open_course(self, indication: str, head_start: int) -> None:
            ref = uuid.uuid4().hex[:12]
            self.ward = Ward.start(engine, indication, date(2026, 1, 12), patient_ref=f"P-{ref}")
            self.now = self.ward.local(date(2026, 1, 4), 6)
            self.keys = []
            self.max_weeks = RULEBOOK.guideline.indication(indication).interval.max_weeks
            if indication == "toxic-epidermal-necrolysis":
                return
            # Courses begun further on reach the review and the washout in few steps.
            for number in range(1, head_start + 1):
                view = self.ward.run_cycle()
                if number == 6:
                    self.ward.send("response.assessed", {"outcome": "good"}, self._after(view))
                if self.ward.view()["state"] == "long_term_decision":  # pemphigus: continue
                    self.ward.send(
                        "long_term.decided",
                        {"decision": "continue", "justification": "no other option"},
                        self._after(view),
                        actor="dr-p",
                    )
            if head_start:
                self.now = self._after(self.ward.view())

        def _after(self, view: dict[str, Any]) -> datetime:
            done = [c for c in view["cycles"] if c["status"] == "completed"]
            return self.ward.local(done[-1]["planned_dates"][-1], 18)

        def _send(self, kind: str, data: dict[str, object] | None) -> None:
            self.now += timedelta(hours=1)
            answer = self.ward.send(kind, data, self.now)
            assert answer.status in ("applied", "refused"), answer
            if answer.key:
                self.keys.append(answer.key)

        @rule(hours=st.integers(1, 24 * 40))
        def sweep(self, hours: int) -> None:
            state = self.ward.view()["state"]
            releases = self._released()
            self.now += timedelta(hours=hours)
            self.ward.tick(self.now)
            if state in BLOCKED:
                assert self._released() == releases

        @rule(day=st.integers(1, 5), shift=st.integers(-2, 2))
        def infusion(self, day: int, shift: int) -> None:
            cycles = self.ward.view()["cycles"]
            current = [c for c in cycles if c["status"] in ("released", "in_progress")]
            cycle = current[0] if current else cycles[-1]
            number = max(1, cycle["number"] + (shift if abs(shift) == 2 else 0))
            day = min(day, len(cycle["planned_dates"]))
            data = {
                "cycle": number,
                "day": day,
                "dose_g": cycle["doses_g"][day - 1],
                "product": cycle["product"],
                "lot_numbers": [f"L{number}-{day}"],
            }
            self._send("infusion.administered", data)

        @rule()
        def whole_cycle(self) -> None:
            """The rest of the current cycle, last day first: drives courses to review."""
            cycles = self.ward.view()["cycles"]
            cycle = next((c for c in cycles if c["status"] in ("released", "in_progress")), None)
            if cycle is None:
                return
            for day in range(len(cycle["planned_dates"]), 0, -1):
                if day not in cycle["days_given"]:
                    data = {
                        "cycle": cycle["number"],
                        "day": day,
                        "dose_g": cycle["doses_g"][day - 1],
                        "product": cycle["product"],
                        "lot_numbers": [f"L-{day}"],
                    }
                    self._send("infusion.administered", data)

        @rule(outcome=st.sampled_from(["good", "good", "partial", "none", "worse"]))
        def response(self, outcome: str) -> None:
            self._send("response.assessed", {"outcome": outcome})

        @rule(decision=st.sampled_from(["continue", "continue", "washout", "stop"]))
        def long_term(self, decision: str) -> None:
            self.now += timedelta(hours=1)
            data = {"decision": decision, "justification": "decided"}
            answer = self.ward.send("long_term.decided", data, self.now, actor="dr-p")
            assert answer.status in ("applied", "refused"), answer
            if answer.key:
                self.keys.append(answer.key)

        @rule()
        def relapse(self) -> None:
            self._send("relapse.reported", None)

        @rule(kind=st.sampled_from(["course.held", "course.resumed", "adverse_event.reported"]))
        def physician(self, kind: str) -> None:
            choices: dict[str, dict[str, object] | None] = {
                "course.held": {"reason": "infection"},
                "course.resumed": None,
                "adverse_event.reported": {"severity": "severe", "description": "headache"},
            }
            self._send(kind, choices[kind])

        @rule(weight=st.floats(40, 120))
        def weighed(self, weight: float) -> None:
            self._send("observation.recorded", {"weight_kg": round(weight, 1)})

        @rule(data=st.data())
        def resend(self, data: st.DataObject) -> None:
            if not self.keys:
                return
            key = data.draw(st.sampled_from(self.keys))
            before = row_counts(engine)
            answer = self.ward.send("course.held", {"reason": "resent"}, self.now, key=key)
            assert answer.status == "duplicate"
            assert row_counts(engine) == before

        def _released(self) -> int:
            with reading(engine) as session:
                return (
                    session.scalar(
                        select(func.count())
                        .select_from(TransitionLogRow)
                        .where(col(TransitionLogRow.course_id) == self.ward.course_id)
                        .where(col(TransitionLogRow.rule) == "cycle.released")
                    )
                    or 0
                )

        @invariant()
        def interval_within_the_maximum(self) -> None:
            assert self.ward.view()["interval_weeks"] <= self.max_weeks

        @invariant()
        def no_effect_stored_twice(self) -> None:
            with reading(engine) as session:
                for table in (WorkItemRow, OutboxRow):
                    keys = session.scalars(select(col(table.key))).all()
                    assert len(keys) == len(set(keys))

        @invariant()
        def log_legal_and_replay_rebuilds_the_course(self) -> None:
            self.ward.assert_consistent()

    return StoredCourse


def test_stored_courses_keep_their_invariants(engine: Engine) -> None:
    examples = 12 if engine.dialect.name == "sqlite" else 4
    machine = _machine(engine)
    machine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine.TestCase().runTest()
