"""Closing a work item: done or cancelled, always with who and why.

A closed item stays closed: completing it twice would hide that two people did the
same work, so the second close is refused and the first one's record kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.statuses import WorkItemStatus
from ivig_workflow.db.tables import REF, WorkItemRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import UnitOfWork

Closing = Literal["done", "cancelled"]


class TaskNotFound(LookupError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"task {task_id} does not exist")
        self.task_id = task_id


class TaskAlreadyClosed(RuntimeError):
    def __init__(self, task: WorkItemRow) -> None:
        super().__init__(
            f"task {task.id} is {task.status.value} already (by {task.closed_by}"
            f" at {task.closed_at.isoformat() if task.closed_at else '?'})"
        )
        self.task = task


def close_task(
    task_id: int,
    *,
    outcome: Closing,
    by: str,
    reason: str | None,
    engine: Engine,
    now: datetime,
) -> WorkItemRow:
    if not by.strip():
        raise InputError("by", "required: who closes the task")
    if len(by) > REF:
        raise InputError("by", f"at most {REF} characters")
    if outcome == "cancelled" and not (reason and reason.strip()):
        raise InputError("reason", "required: why the task is cancelled")
    with UnitOfWork(engine) as uow:
        query = select(WorkItemRow).where(col(WorkItemRow.id) == task_id)
        if uow.dialect == "postgresql":
            query = query.with_for_update()  # two nurses closing the same task serialise here
        task = uow.session.scalar(query)
        if task is None:
            raise TaskNotFound(task_id)
        if task.status != WorkItemStatus.OPEN:
            raise TaskAlreadyClosed(task)
        task.status = WorkItemStatus(outcome)
        task.closed_at = now
        task.closed_by = by
        task.close_reason = reason
        uow.session.add(task)
        uow.session.flush()
        uow.commit()
        return task
