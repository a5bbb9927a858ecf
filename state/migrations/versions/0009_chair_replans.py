"""chair re-plans: marks of changes that freed or need chairs, last plan per centre

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chair_replan_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_slug', sa.String(length=64), nullable=False),
    sa.Column('needed_from', sa.Date(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('why', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_replan_marks'))
    )
    op.create_index(op.f('ix_chair_replan_marks_centre_slug'), 'chair_replan_marks',
                    ['centre_slug'], unique=False)
    op.create_table('chair_replans',
    sa.Column('centre_slug', sa.String(length=64), nullable=False),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('centre_slug', name=op.f('pk_chair_replans'))
    )


def downgrade() -> None:
    op.drop_table('chair_replans')
    op.drop_index(op.f('ix_chair_replan_marks_centre_slug'), table_name='chair_replan_marks')
    op.drop_table('chair_replan_marks')
