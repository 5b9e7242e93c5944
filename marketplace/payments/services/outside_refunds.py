"""Refunds made outside the API (the Stripe dashboard) are booked like ours once the payment is known.

The amount is spread over the order's lines in line-id order, each line taking at most what is
still paid on it; a line taking all that is left on it takes its remaining quantity, otherwise
the whole units its part covers (at least one, leaving one unit open when the part is short of
the line's remainder), so a later refund of the line's last units takes exactly its remainder.
The ledger reverses each line by the usual attribution rule (``ledger.post_refund``).
"""
from marketplace.audit.services import record
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.states import ORDER_PAYMENT_TRANSITIONS
from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.services.refunding import REFUNDABLE_ORDER_STATES, _lock_order
from marketplace.payments.states import PAYMENT_TRANSITIONS, RefundStatus

OUTSIDE_REASON = "refunded outside the platform (Stripe dashboard)"


def _allocate(lines, amount):
    parts, left = [], amount
    for line in sorted(lines, key=lambda line: line.id):
        open_fen, open_q = line.amount_fen - line.refunded_fen, line.quantity - line.refunded_quantity
        if left <= 0 or open_fen <= 0 or open_q <= 0:
            continue
        take = min(left, open_fen)
        quantity = open_q if take == open_fen else min(max(1, take // line.unit_price_fen), max(open_q - 1, 1))
        parts.append((line, quantity, take))
        left -= take
    return parts


def book_outside_refund(payment, order, item):
    """Book Stripe refund ``item`` (not ours) on a paid payment; None when it cannot be (audited)."""
    amount = int(item.get("amount") or 0)
    still_paid = payment.amount_fen - payment.refunded_fen
    if order.payment_status not in REFUNDABLE_ORDER_STATES or not 0 < amount <= still_paid:
        return None
    _lock_order(order)
    refund = Refund(payment_id=payment.id, order_id=order.id, amount_fen=amount, reason=OUTSIDE_REASON,
                    status=RefundStatus.PENDING, stripe_refund_id=item.get("id"))
    for line, quantity, part in _allocate(order.lines, amount):
        refund.lines.append(RefundLine(order_line_id=line.id, quantity=quantity, amount_fen=part))
        line.refunded_quantity += quantity
        line.refunded_fen += part
    db.session.add(refund)
    payment.refunded_fen += amount
    db.session.flush()
    action = "refund_all" if payment.refunded_fen == payment.amount_fen else "refund_part"
    transition(payment, PAYMENT_TRANSITIONS, action)
    transition(order, ORDER_PAYMENT_TRANSITIONS, action, column="payment_status")
    ledger.post_refund(refund)
    record(None, "refund.outside", "refund", refund.id, region_code=order.buyer_region_code,
           after={"stripe_refund_id": refund.stripe_refund_id, "amount_fen": amount,
                  "lines": [{"line_id": rl.order_line_id, "quantity": rl.quantity, "amount_fen": rl.amount_fen}
                            for rl in refund.lines]})
    return refund
