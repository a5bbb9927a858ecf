"""cycle target start: where the course planned a cycle before the scheduler moved it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:10:00.000000

Issue 13: `cycle.rescheduled` moves a cycle's planned days; the target it moved from
stays, so the chair scheduler's window does not drift with daily re-plans. NULL for
every cycle stored before (none was moved). 0008 and 0009 are taken by parallel
branches: at the merge this revises the last of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of `cycles`, which its foreign keys refuse).
    op.add_column("cycles", sa.Column("target_start", sa.Date(), nullable=True))
    # How often the scheduler moved a cycle: none before.
    op.add_column(
        "cycles", sa.Column("moves", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): batch mode would copy `cycles`,
    # and the infusion days' foreign keys refuse the DROP TABLE of the copy.
    op.drop_column("cycles", "moves")
    op.drop_column("cycles", "target_start")
