"""The chair scheduler: places cycle days into chairs with OR-Tools CP-SAT.

Pure (no database, no clock) but not domain: it imports ortools, so it sits with the
adapters. `plan_chairs(problem)` is the entry; `check_plan` re-verifies any plan.
"""

from ivig_workflow.scheduling.check import check_plan
from ivig_workflow.scheduling.planner import plan_chairs
from ivig_workflow.scheduling.problem import (
    Booking,
    DayCapacity,
    Demand,
    Plan,
    Problem,
    Unplaced,
)

__all__ = [
    "Booking",
    "DayCapacity",
    "Demand",
    "Plan",
    "Problem",
    "Unplaced",
    "check_plan",
    "plan_chairs",
]
