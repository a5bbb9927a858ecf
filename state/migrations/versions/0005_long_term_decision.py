"""long-term decision: where a continued course resumes; the why of a transition

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The new course state `long_term_decision` needs no schema change: states are
    # stored as their value in a VARCHAR(32) without a CHECK (db/types.EnumByValue).
    with op.batch_alter_table('courses') as batch:
        batch.add_column(sa.Column('state_after_decision', sa.String(length=32), nullable=True))
    with op.batch_alter_table('transition_log') as batch:
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('transition_log') as batch:
        batch.drop_column('reason')
    with op.batch_alter_table('courses') as batch:
        batch.drop_column('state_after_decision')
