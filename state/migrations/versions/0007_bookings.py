"""bookings: each planned cycle day in a chair

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('centre_slug', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('chair', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_bookings_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('centre_slug', 'date', 'chair', 'start_time',
                        name=op.f('uq_bookings_centre_slug_date_chair_start_time'))
    )
    op.create_index('ix_bookings_centre_date', 'bookings', ['centre_slug', 'date'], unique=False)
    op.create_index(op.f('ix_bookings_course_id'), 'bookings', ['course_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bookings_course_id'), table_name='bookings')
    op.drop_index('ix_bookings_centre_date', table_name='bookings')
    op.drop_table('bookings')
