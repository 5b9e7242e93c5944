"""Paying an order: Stripe PaymentIntents, bank-transfer confirmation, listing."""
from sqlalchemy import select

from marketplace.audit.services import record, record_change
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, field_error
from marketplace.core.locks import lock
from marketplace.core.transitions import require_state, transition
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders import services as order_services
from marketplace.orders.states import ORDER_PAYMENT_TRANSITIONS, OrderStatus
from marketplace.payments.models import Payment
from marketplace.payments.services.intents import request_intent
from marketplace.payments.services.transfer_rules import (
    changeable_payment_without_expiry,
    check_transfer,
    reinstate_if_timely,
    value_date_start,
)
from marketplace.payments.states import OPEN_STATUSES, PAID_STATUSES, PAYMENT_TRANSITIONS  # noqa: F401 (re-export)


def _open_payment(order):
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id,
                                                   Payment.status.in_(OPEN_STATUSES))
                             .order_by(Payment.id.desc()).limit(1))


def _check_payable(order, verb="pay"):
    """409 with the order's state unless it is open for payment: unpaid, neither cancelled nor
    awaiting approval (an order is paid only once approved)."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_APPROVAL):
        raise InvalidTransition("order", order.status, verb)
    require_state(order, ORDER_PAYMENT_TRANSITIONS, "pay", column="payment_status", verb=verb)


def _new_payment(order):
    payment = Payment(order_id=order.id, method=order.payment_method, status="requires_payment",
                      amount_fen=order.total_fen, refunded_fen=0, currency="cny")
    db.session.add(payment)
    db.session.flush()
    return payment


def open_payment_for_order(*, actor, order, placed_now=False):
    """Create the order's initial Payment row where its method needs one (bank transfer).

    Stripe orders get their Payment when the buyer asks for a PaymentIntent. Returns the row or None.
    An open payment is returned rather than doubled; ``placed_now=True`` says the order was inserted
    in this very transaction, so no other can have given it a payment and the look-up is skipped.
    """
    if order.payment_method != "bank_transfer" or order.payment_status != "unpaid":
        return None
    return (None if placed_now else _open_payment(order)) or _new_payment(order)


def create_payment(*, actor, order_id):
    """Start paying an order: a Stripe PaymentIntent for the amount due, or the bank-transfer row.

    An open payment of the order is returned again rather than doubled. Raises NotFound outside
    the caller's organization, InvalidTransition (409) when the order is cancelled or already paid.
    Stripe is not called here: the PaymentIntent is an outbox message sent after commit.
    """
    order = lock(order_services.get_changeable_order(actor, order_id))
    _check_payable(order)
    payment = _open_payment(order)
    if payment is not None and (payment.method == "bank_transfer" or payment.stripe_payment_intent_id):
        return payment
    if payment is not None:  # a Stripe intent asked for, not yet made: the caller dispatches it again
        return payment
    payment = _new_payment(order)
    if payment.method == "stripe":
        request_intent(order, payment)
    record(actor, "payment.create", "payment", payment.id, region_code=order.buyer_region_code,
           after={"order_id": order.id, "method": payment.method, "amount_fen": payment.amount_fen,
                  "stripe_payment_intent_id": payment.stripe_payment_intent_id})
    return payment


def list_payments(*, actor, order_id):
    """The payments of an order the caller may see (NotFound otherwise)."""
    order = order_services.get_visible_order(actor, order_id)
    return select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)


def mark_succeeded(payment, order, *, actor, source, paid_at=None):
    """Record a payment's success on it and its order, then post it to the ledger (once), dated at
    ``paid_at``: the value date (default: now, the success)."""
    now = utcnow()
    paid = transition(payment, PAYMENT_TRANSITIONS, "succeed", values={"succeeded_at": now})
    order_paid = transition(order, ORDER_PAYMENT_TRANSITIONS, "pay", column="payment_status",
                            values={"paid_at": paid_at or now})
    ledger.post_payment_success(payment)
    record_change(actor, "payment.succeeded", payment, region_code=order.buyer_region_code,
                  before={"payment": paid.before, "order": order_paid.before},
                  after={"payment": paid.after, "order": order_paid.after, "source": source,
                         "amount_fen": payment.amount_fen})


def get_changeable_payment(actor, payment_id):
    """A payment whose order the caller may change (``get_changeable_order``); NotFound otherwise."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    order_services.get_changeable_order(actor, payment.order_id)
    return payment


def confirm_transfer(*, actor, payment_id, data):
    """An admin confirms a bank transfer: the amount must equal the amount due (422).

    409 (with current_state) for a payment that is not an open bank transfer, an order awaiting
    approval, cancelled or paid meanwhile, or a late transfer; the rules of the value date, the
    bank reference and the reinstatement of an order expired before a timely transfer are in
    :mod:`transfer_rules`.
    """
    payment, order = changeable_payment_without_expiry(actor, payment_id)
    payment, order = lock(payment), lock(order)
    if payment.method != "bank_transfer":
        raise Conflict("only bank-transfer payments are confirmed by hand", current_state=payment.status)
    if payment.status not in OPEN_STATUSES:
        raise InvalidTransition("payment", payment.status, "confirm")
    reinstate_if_timely(payment, order, data, actor=actor)
    _check_payable(order, "confirm a transfer for")
    check_transfer(payment, order, data)
    if data["amount_fen"] != payment.amount_fen:
        raise field_error("amount_fen", f"must equal the amount due, {payment.amount_fen} fen")
    payment.bank_reference = data["bank_reference"]
    payment.received_on = data["received_on"]
    mark_succeeded(payment, order, actor=actor, source="bank_transfer", paid_at=value_date_start(payment.received_on))
    return payment
