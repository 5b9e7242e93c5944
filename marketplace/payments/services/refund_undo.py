"""A refund whose money never left (Stripe: failed or cancelled) is undone.

Its lines' refunded quantities and amounts are freed, the payment and the order go back to what
they were before it (paid, or partially refunded by the other refunds), and the ledger reverses
the refund's postings exactly (``ledger.post_refund_failed``). The order can be refunded again.
"""
from marketplace.core.locks import lock, lock_rows
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.models import Order, OrderLine
from marketplace.orders.states import ORDER_PAYMENT_TRANSITIONS
from marketplace.payments.states import PAYMENT_TRANSITIONS


def undo_refund(refund):
    """Free what ``refund`` took (its status is already failed/cancelled). Flushes, never commits."""
    payment = lock(refund.payment)
    (order,) = lock_rows(Order, [refund.order_id])
    lines = {line.id: line for line in lock_rows(OrderLine, [rl.order_line_id for rl in refund.lines])}
    for refund_line in refund.lines:
        line = lines[refund_line.order_line_id]
        line.refunded_quantity -= refund_line.quantity
        line.refunded_fen -= refund_line.amount_fen
    payment.refunded_fen -= refund.amount_fen
    db.session.flush()
    action = "unrefund_all" if payment.refunded_fen == 0 else "unrefund_part"
    transition(payment, PAYMENT_TRANSITIONS, action)
    transition(order, ORDER_PAYMENT_TRANSITIONS, action, column="payment_status")
    ledger.post_refund_failed(refund)
