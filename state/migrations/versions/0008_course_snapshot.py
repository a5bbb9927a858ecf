"""courses.snapshot: the course as JSON beside its rows (issue 14)

Existing courses keep NULL: they are loaded from their rows and get a snapshot the
next time they are written.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite >= 3.35 drops a column in place): batch
# mode would copy the courses table, refused by the foreign keys of its cycles, and
# slow on a large one.
def upgrade() -> None:
    op.add_column('courses', sa.Column('snapshot', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('courses', 'snapshot')
