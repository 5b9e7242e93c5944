"""outbox: calls to Stripe committed with their business change, sent after commit; refunds.status
gains ``requested`` (a Stripe refund not yet accepted) and ``cancelled``

Revision ID: 7b1e0c5d9a21
Revises: a6e1d0c4b2f7
Create Date: 2026-11-29 14:00:00

Self-contained (no application imports): UTC datetimes are plain timezone-aware DateTime here,
which is what marketplace.core.db.UtcDateTime renders to on both engines; the refund statuses
are written literally.
"""
from alembic import op
import sqlalchemy as sa

revision = '7b1e0c5d9a21'
down_revision = 'a6e1d0c4b2f7'
branch_labels = None
depends_on = None

REFUND_STATUS_CHECK = "ck_refunds_status_known"
REFUND_STATUSES_BEFORE = ("pending", "succeeded", "failed")
REFUND_STATUSES = ("requested", "pending", "succeeded", "failed", "cancelled")


def _one_of(column, values):
    return f"{column} IN ('" + "','".join(values) + "')"


def _refund_statuses(values):
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(REFUND_STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(REFUND_STATUS_CHECK), _one_of("status", values))


def upgrade():
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=60), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_subject'), ['subject'], unique=False)
    _refund_statuses(REFUND_STATUSES)


def downgrade():
    _refund_statuses(REFUND_STATUSES_BEFORE)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_subject'))
        batch_op.drop_index('ix_outbox_status_next_attempt_at')
    op.drop_table('outbox')
