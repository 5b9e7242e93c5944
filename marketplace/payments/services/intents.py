"""One live PaymentIntent per order: asking for a new one cancels the earlier ones (outbox)."""
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.outbox import services as outbox
from marketplace.payments.models import Payment

#: Earlier Stripe payments of an order whose PaymentIntent could still be paid.
CANCELLABLE_STATUSES = ("failed",)


def payment_subject(payment_id):
    return f"payment:{payment_id}"


def _cancel_earlier(order, payment):
    earlier = db.session.scalars(select(Payment).where(
        Payment.order_id == order.id, Payment.id != payment.id, Payment.method == "stripe",
        Payment.status.in_(CANCELLABLE_STATUSES), Payment.stripe_payment_intent_id.is_not(None))
        .order_by(Payment.id)).all()
    for old in earlier:
        if not outbox.messages_for(payment_subject(old.id), "cancel_payment_intent"):
            outbox.enqueue("cancel_payment_intent", payment_subject(old.id),
                           {"payment_id": old.id, "payment_intent_id": old.stripe_payment_intent_id})


def request_intent(order, payment):
    """Write the outbox message that creates ``payment``'s PaymentIntent, and cancel the order's
    earlier intents (a failed intent can still be paid later: it must not be)."""
    _cancel_earlier(order, payment)
    return outbox.enqueue("create_payment_intent", payment_subject(payment.id), {
        "payment_id": payment.id, "amount_fen": payment.amount_fen, "order_id": order.id,
        "order_number": order.number})
