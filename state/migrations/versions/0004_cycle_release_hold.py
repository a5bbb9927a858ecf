"""cycles held before release for a physician's confirmation (issue 11)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(sa.Column('release_held_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('release_confirmation', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('release_confirmation')
        batch.drop_column('release_held_at')
