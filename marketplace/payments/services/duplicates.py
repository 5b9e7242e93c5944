"""A second charge of a paid order (an earlier PaymentIntent paid before its cancel reached Stripe)
is refunded in full automatically through the outbox, and booked: never cash without an order."""
from marketplace.audit.services import record
from marketplace.core.db import utcnow
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.ledger.services.duplicates import post_duplicate_charge
from marketplace.outbox import services as outbox
from marketplace.payments.models import Refund
from marketplace.payments.states import PAYMENT_TRANSITIONS, RefundStatus

DUPLICATE_REASON = "duplicate charge: the order was already paid"


def refund_duplicate_charge(payment, order):
    """``payment`` succeeded at Stripe but ``order`` is paid by another: refund it whole (flushes)."""
    transition(payment, PAYMENT_TRANSITIONS, "refund_duplicate",
               values={"succeeded_at": utcnow(), "refunded_fen": payment.amount_fen})
    refund = Refund(payment_id=payment.id, order_id=order.id, amount_fen=payment.amount_fen,
                    reason=DUPLICATE_REASON, status=RefundStatus.REQUESTED)
    db.session.add(refund)
    db.session.flush()
    post_duplicate_charge(payment, refund)
    outbox.enqueue("create_refund", f"refund:{refund.id}", {
        "refund_id": refund.id, "payment_intent_id": payment.stripe_payment_intent_id,
        "amount_fen": payment.amount_fen})
    record(None, "payment.duplicate_refunded", "payment", payment.id, region_code=order.buyer_region_code,
           after={"order_payment_status": order.payment_status, "amount_fen": payment.amount_fen,
                  "refund_id": refund.id})
    return refund
