"""households: status sudden_hardship (突发严重困难户), the third monitored kind after 2020

The monitoring system (防止返贫动态监测) since 2021 knows lifted households (脱贫户) and three
monitored kinds: unstable lifted (脱贫不稳定户, ``monitored``), marginal (边缘易致贫户, ``edge``) and
sudden hardship (突发严重困难户, ``sudden_hardship``, new here). ``registered_poor`` stays allowed
for history (建档立卡 records from before 2021).

Revision ID: a6e1d0c4b2f7
Revises: 9e4b7c2d1a60
Create Date: 2026-11-29 13:55:00

"""
from alembic import op

revision = 'a6e1d0c4b2f7'
down_revision = '9e4b7c2d1a60'
branch_labels = None
depends_on = None

NAME = "ck_households_status_known"
BEFORE = ("registered_poor", "lifted", "monitored", "edge", "ordinary")
AFTER = ("registered_poor", "lifted", "monitored", "edge", "sudden_hardship", "ordinary")


def _allow(statuses):
    with op.batch_alter_table("households") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), "status IN ('" + "','".join(statuses) + "')")


def upgrade():
    _allow(AFTER)


def downgrade():
    op.execute("UPDATE households SET status = 'monitored' WHERE status = 'sudden_hardship'")
    _allow(BEFORE)
