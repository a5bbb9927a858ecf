"""Drop cycles.course_id and infusion_days.cycle_id indexes: each is a prefix of a unique
constraint, (course_id, number) and (cycle_id, day), which answers the same lookups and
foreign-key checks (issue 14)

Every infusion day recorded wrote its cycle id into two B-trees that hold the same order,
and every cycle opened its course id likewise: one more page in the write-ahead log per
such row, for no query the unique index does not answer (EXPLAIN on both databases in
tests/integration/test_schema.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 05:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_infusion_days_cycle_id", table_name="infusion_days")
    op.drop_index("ix_cycles_course_id", table_name="cycles")


def downgrade() -> None:
    op.create_index("ix_cycles_course_id", "cycles", ["course_id"], unique=False)
    op.create_index("ix_infusion_days_cycle_id", "infusion_days", ["cycle_id"], unique=False)
