"""A refund whose money never left (Stripe: failed or cancelled) is undone.

Its lines' refunded quantities and amounts are freed, the payment and the order go back to what
they were before it (paid, or partially refunded by the other refunds), and the ledger reverses
the refund's postings exactly (``ledger.post_refund_failed``). The order can be refunded again.
"""
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.models import Order, OrderLine

UNDONE_STATES = ("failed", "cancelled")


def _lock(obj):
    db.session.refresh(obj, with_for_update=True)
    return obj


def undo_refund(refund):
    """Free what ``refund`` took (its status is already failed/cancelled). Flushes, never commits."""
    payment = _lock(refund.payment)
    order = _lock(db.session.get(Order, refund.order_id))
    for refund_line in refund.lines:
        line = _lock(db.session.get(OrderLine, refund_line.order_line_id))
        line.refunded_quantity -= refund_line.quantity
        line.refunded_fen -= refund_line.amount_fen
    payment.refunded_fen -= refund.amount_fen
    payment.status = "succeeded" if payment.refunded_fen == 0 else "partially_refunded"
    order.payment_status = "paid" if payment.refunded_fen == 0 else "partially_refunded"
    db.session.flush()
    ledger.post_refund_failed(refund)
