"""An order expired unpaid although its bank transfer arrived in time comes back, if stock allows.

Its stock is taken again exactly as at placement (``take_stock``: all or nothing; 409
InsufficientStock naming each short line otherwise), its sales counted again, its fulfilments
reopened (``pending``: nothing had shipped, or it could not have expired) and its status set back
to what it was before the expiry (from the expiry's audit event; ``placed`` when unknown).
"""
from sqlalchemy import select, update

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import record_change
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment
from marketplace.orders.services.cancelling import EXPIRY_REASON
from marketplace.orders.services.placing import _count_sales, take_stock
from marketplace.orders.states import (
    ORDER_TRANSITIONS,
    REINSTATE_ACTIONS,
    FulfilmentStatus,
    OrderPaymentStatus,
    OrderStatus,
)


def expired_unpaid(order):
    return (order.status == OrderStatus.CANCELLED and order.cancel_reason == EXPIRY_REASON
            and order.payment_status == OrderPaymentStatus.UNPAID)


def _status_before_expiry(order):
    before = db.session.scalar(select(AuditEvent.before).where(
        AuditEvent.entity_type == "order", AuditEvent.entity_id == str(order.id), AuditEvent.action == "order.expire")
        .order_by(AuditEvent.id.desc()).limit(1))
    status = (before or {}).get("status")
    return status if status in REINSTATE_ACTIONS else OrderStatus.PLACED


def reinstate_expired(order, *, actor):
    """Bring back an expired order (see the module docstring); the caller holds its row lock."""
    take_stock([{"sku_id": line.sku_id, "quantity": line.quantity} for line in order.lines])
    sold = {}
    for line in order.lines:
        sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
    _count_sales(sold)
    status = _status_before_expiry(order)
    db.session.execute(update(Fulfilment).where(Fulfilment.order_id == order.id)
                       .values(status=FulfilmentStatus.PENDING).execution_options(synchronize_session=False))
    change = transition(order, ORDER_TRANSITIONS, REINSTATE_ACTIONS[status],
                        values={"cancel_reason": None, "cancelled_at": None})
    for fulfilment in order.fulfilments:
        db.session.expire(fulfilment)
    record_change(actor, "order.reinstate", order, change, after={"reason": "a timely bank transfer was confirmed"},
                  region_code=order.buyer_region_code)
    return order
