"""Stripe webhooks: verified, processed once, committed here (not by the request hook).

The StripeEvent row is inserted first inside a SAVEPOINT and committed with the
postings, so a redelivered event (one after another or at the same moment) posts
once: the second insert hits the unique event id and is acknowledged as a duplicate.
"""
import structlog
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.audit.services import record, record_change
from marketplace.core.locks import lock
from marketplace.core.transitions import target_state, transition
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import stripe_gateway
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.outbox_handlers import settle_from_stripe
from marketplace.payments.services import mark_succeeded, refund_cancelled_order
from marketplace.payments.services.duplicates import refund_duplicate_charge
from marketplace.payments.services.outside_refunds import book_outside_refund
from marketplace.payments.states import OPEN_STATUSES, PAID_STATUSES, PAYMENT_TRANSITIONS

log = structlog.get_logger("marketplace.webhooks")


def _payment_for_intent(intent_id):
    if not intent_id:
        return None
    return lock(db.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent_id)))


def _locked_order(payment):
    return lock(db.session.get(Order, payment.order_id))


def _on_intent_succeeded(intent):
    payment = _payment_for_intent(intent.get("id"))
    if payment is None:
        return "unknown_payment"
    if payment.status in PAID_STATUSES:
        return "already_succeeded"
    order = _locked_order(payment)
    amount = intent.get("amount_received") or intent.get("amount")
    currency = (intent.get("currency") or "").lower()
    if amount != payment.amount_fen or currency != payment.currency:
        record(None, "payment.amount_mismatch", "payment", payment.id, region_code=order.buyer_region_code,
               before={"amount_fen": payment.amount_fen, "currency": payment.currency},
               after={"amount_fen": amount, "currency": currency, "stripe_payment_intent_id": intent.get("id")})
        return "amount_mismatch"
    if order.payment_status != "unpaid":
        refund_duplicate_charge(payment, order)
        return "duplicate_payment_refunded"
    mark_succeeded(payment, order, actor=None, source="stripe_webhook")
    _replay_deferred(intent.get("id"))
    if order.status == "cancelled":
        refund_cancelled_order(actor=None, order=order)
        return "succeeded_refunded_cancelled_order"
    return "succeeded"


def _on_intent_failed(intent):
    payment = _payment_for_intent(intent.get("id"))
    if payment is None:
        return "unknown_payment"
    if target_state(PAYMENT_TRANSITIONS, "fail", payment.status) is None:
        return "ignored_late_failure"
    order = db.session.get(Order, payment.order_id)
    change = transition(payment, PAYMENT_TRANSITIONS, "fail")
    error = intent.get("last_payment_error") or {}
    record_change(None, "payment.failed", payment, change, after={"code": error.get("code")},
                  region_code=order.buyer_region_code)
    return "failed"


def _on_intent_processing(intent):
    payment = _payment_for_intent(intent.get("id"))
    if payment is None:
        return "unknown_payment"
    if target_state(PAYMENT_TRANSITIONS, "process", payment.status) is None:
        return "ignored"
    transition(payment, PAYMENT_TRANSITIONS, "process")
    return "processing"


def _on_charge_refunded(charge):
    """Reconcile refunds: ours move to Stripe's status; ones made outside the API are booked by line."""
    payment = _payment_for_intent(charge.get("payment_intent"))
    if payment is None:
        return "unknown_payment"
    order = db.session.get(Order, payment.order_id)
    if payment.status in OPEN_STATUSES:
        return "deferred"  # replayed, in order, once the payment succeeds
    unknown = []
    for item in (charge.get("refunds") or {}).get("data") or []:
        refund = _our_refund(item, payment) or book_outside_refund(payment, order, item)
        if refund is None:
            unknown.append({"id": item.get("id"), "amount": item.get("amount")})
        else:
            settle_from_stripe(refund, item.get("status"), "stripe_webhook")
    outside = (charge.get("amount_refunded") or 0) - payment.refunded_fen
    if unknown or outside > 0:
        record(None, "refund.unreconciled", "payment", payment.id, region_code=order.buyer_region_code,
               after={"unknown_refunds": unknown, "amount_refunded": charge.get("amount_refunded"),
                      "recorded_fen": payment.refunded_fen})
        return "unreconciled"
    return "reconciled"


def _our_refund(item, payment):
    """Our Refund for a Stripe refund: by its id, or (the dispatcher crashed before recording the
    id) by the refund id we put in its metadata. Locked."""
    refund = db.session.scalar(select(Refund).where(Refund.stripe_refund_id == item.get("id")))
    if refund is None:
        our_id = str((item.get("metadata") or {}).get("refund_id") or "")
        refund = db.session.get(Refund, int(our_id)) if our_id.isdigit() else None
        if refund is None or refund.payment_id != payment.id:
            return None
    lock(refund)
    if refund.stripe_refund_id is None:
        refund.stripe_refund_id = item.get("id")
    elif refund.stripe_refund_id != item.get("id"):
        return None
    return refund


def _on_refund_updated(item):
    """refund.updated / charge.refund.updated: pending → succeeded, failed or cancelled (undone)."""
    payment = _payment_for_intent(item.get("payment_intent"))
    if payment is None:
        return "unknown_payment"
    if payment.status in OPEN_STATUSES:
        return "deferred"
    refund = _our_refund(item, payment) or book_outside_refund(payment, _locked_order(payment), item)
    if refund is None:
        return "unknown_refund"
    before = refund.status
    settle_from_stripe(refund, item.get("status"), "stripe_webhook")
    return f"refund_{refund.status}" if refund.status != before else "refund_unchanged"


HANDLERS = {
    "refund.updated": _on_refund_updated,
    "charge.refund.updated": _on_refund_updated,
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.processing": _on_intent_processing,
    "charge.refunded": _on_charge_refunded,
}


def _replay_deferred(intent_id):
    """Refund events that came before the payment succeeded, handled now in their arrival order."""
    deferred = db.session.scalars(select(StripeEvent).where(StripeEvent.outcome == "deferred")
                                  .order_by(StripeEvent.id)).all()
    for row in deferred:
        obj = (row.payload_summary or {}).get("object") or {}
        if obj.get("payment_intent") == intent_id and row.type in HANDLERS:
            row.outcome = f"replayed:{HANDLERS[row.type](obj)}"[:40]


def _claim(event):
    """Insert the event id; False when it was already processed (or is being processed)."""
    row = StripeEvent(event_id=str(event.get("id"))[:100], type=str(event.get("type"))[:60],
                      outcome="processing")
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def handle_stripe_webhook(payload, sig_header):
    """Verify and process one delivery; returns {received, outcome}. Commits."""
    event = stripe_gateway.construct_event(payload, sig_header, current_app.config.get("STRIPE_WEBHOOK_SECRET"))
    row = _claim(event)
    if row is None:
        db.session.rollback()
        log.info("stripe_event_duplicate", event_id=event.get("id"))
        return {"received": True, "outcome": "duplicate"}
    handler = HANDLERS.get(event.get("type"))
    obj = (event.get("data") or {}).get("object") or {}
    row.outcome = handler(obj) if handler else "ignored"
    row.payload_summary = {"object_id": obj.get("id"), "amount": obj.get("amount"),
                           **({"object": obj} if row.outcome == "deferred" else {})}
    db.session.commit()
    log.info("stripe_event_processed", event_id=row.event_id, type=row.type, outcome=row.outcome)
    return {"received": True, "outcome": row.outcome}
