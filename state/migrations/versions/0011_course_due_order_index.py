"""courses (next_due_at, id): the sweep's order read straight off one index (issue 14)

The sweep claims due courses in (next_due_at, id) order, a batch at a time after the
last one. With an index on next_due_at alone, every claim sorted all due courses of
the same instant (those released at one local midnight share it) to find the next
batch: a temporary B-tree per claim, O(due^2 / batch) over a sweep. With the id in the
index the claim is a covering range scan. The single-column index is a prefix of the
new one and is dropped: keeping both would cost every course update a second entry.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 00:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_courses_next_due_at_id", "courses", ["next_due_at", "id"], unique=False)
    op.drop_index("ix_courses_next_due_at", table_name="courses")


def downgrade() -> None:
    op.create_index("ix_courses_next_due_at", "courses", ["next_due_at"], unique=False)
    op.drop_index("ix_courses_next_due_at_id", table_name="courses")
