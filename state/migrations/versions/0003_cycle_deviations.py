"""cycle deviations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 17:40:00.000000

Issue 11: an infusion that departs from the plan is applied and its deviations are
kept with the cycle (kind, expected, actual, rule, citation, acknowledgement).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Cycles stored before have no deviations: '[]', not NULL.
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(
            sa.Column('deviations', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('deviations')
