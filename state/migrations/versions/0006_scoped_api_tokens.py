"""scoped api tokens: role, centres, expiry, rotation; the token audit

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:50:00

Tokens made before this revision were accepted for everything, so they become
admin tokens for every centre that never expire: nothing that works today stops
working on upgrade. The operator narrows or rotates them (`ivig token rotate`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False,
                                      server_default='admin'))
        batch_op.add_column(sa.Column('centres', sa.JSON(), nullable=False,
                                      server_default='["*"]'))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('previous_valid_until', sa.DateTime(timezone=True), nullable=True))
    # The defaults were for the rows already there; new rows always name their scope.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)
        batch_op.alter_column('centres', server_default=None)
    op.create_table('api_token_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token_audit'))
    )
    with op.batch_alter_table('api_token_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_audit_name'), ['name'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('api_token_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_audit_name'))
    op.drop_table('api_token_audit')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('previous_valid_until')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('centres')
        batch_op.drop_column('role')
