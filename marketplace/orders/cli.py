"""`flask orders ...`: maintenance commands (they commit)."""
import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.orders.services import expire_overdue_orders, purge_idempotency_keys

cli = AppGroup("orders", help="Orders.")


@cli.command("expire")
def expire_command():
    """Cancel unpaid orders past pay_by (restoring stock) and purge idempotency keys older than 48 h."""
    expired = expire_overdue_orders()
    purged = purge_idempotency_keys()
    db.session.commit()
    click.echo(f"expired orders: {expired}; purged idempotency keys: {purged}")
