"""status checks: payments.status, refunds.status, orders.payment_status, orders.buyer_kind

The "value must be one of" CHECK constraints the models declare (core.db.check_one_of) and the
earlier revisions did not create. The values are written here literally: a migration never
imports application code, so it keeps meaning what it meant when it was written. On SQLite,
batch mode rebuilds each table (env.py turns foreign-key enforcement off for the run and checks
the keys before commit).

Revision ID: 9e4b7c2d1a60
Revises: 4c097f26f09d
Create Date: 2026-11-29 14:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b7c2d1a60'
down_revision = '4c097f26f09d'
branch_labels = None
depends_on = None

#: table → [(constraint name (naming convention ck_<table>_<name>), column, allowed values)]
CHECKS = {
    "orders": [
        ("ck_orders_payment_status_known", "payment_status", ("unpaid", "paid", "partially_refunded", "refunded")),
        ("ck_orders_buyer_kind_known", "buyer_kind",
         ("canteen", "school", "hospital", "agency", "state_enterprise", "union")),
    ],
    "payments": [
        ("ck_payments_status_known", "status",
         ("requires_payment", "processing", "succeeded", "failed", "partially_refunded", "refunded")),
    ],
    "refunds": [
        ("ck_refunds_status_known", "status", ("pending", "succeeded", "failed")),
    ],
}


def _one_of(column, values):
    return f"{column} IN ('" + "','".join(values) + "')"


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, values in checks:
                batch_op.create_check_constraint(op.f(name), _one_of(column, values))


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _, _ in checks:
                batch_op.drop_constraint(op.f(name), type_="check")
