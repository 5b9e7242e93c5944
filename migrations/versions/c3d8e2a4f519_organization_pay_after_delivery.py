"""organizations.pay_after_delivery: a buyer whose bank-transfer orders may be fulfilled before payment

Revision ID: c3d8e2a4f519
Revises: 7b1e0c5d9a21
Create Date: 2026-11-29 15:30:00

Self-contained (no application imports).
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3d8e2a4f519'
down_revision = '7b1e0c5d9a21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pay_after_delivery', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('pay_after_delivery')
