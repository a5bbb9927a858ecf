"""A dispatcher process for the kill -9 harness: delivers the outbox until nothing is left.

`python -m tests.reliability.dispatcher SKEW_MINUTES`, with IVIG_STATE_DIR and
IVIG_CONFIG_DIR set. Its clock runs SKEW_MINUTES ahead, as if each restart after a kill
took that long: the rows a killed dispatcher had leased are free again once their lease
is over, which is how a real restart finds them.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from ivig_workflow.db.engine import ensure_schema
from ivig_workflow.db.statuses import OutboxStatus
from ivig_workflow.db.tables import OutboxRow
from ivig_workflow.notify.routing import Router
from ivig_workflow.service.dispatch import dispatch_due
from ivig_workflow.service.unit_of_work import reading


def main() -> None:
    skew = timedelta(minutes=float(sys.argv[1]))
    engine, router = ensure_schema(), Router.load()
    while True:
        dispatch_due(datetime.now(UTC) + skew, engine=engine, router=router, limit=5)
        with reading(engine) as session:
            left = session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(col(OutboxRow.status) != OutboxStatus.DELIVERED)
            )
        if not left:
            return


if __name__ == "__main__":
    main()
