"""What the outbox dispatcher does with payments' messages, and the endpoints' after-commit step.

``send`` only talks to Stripe (no database); ``apply`` records Stripe's answer on the business
rows, ``fail`` undoes the business change when Stripe refused for good. Both run inside the
dispatcher's record transaction, with the outbox row locked, so they apply once.
"""
from marketplace.audit.services import record, record_change
from marketplace.core.errors import ServiceUnavailable
from marketplace.core.locks import lock
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.outbox import services as outbox
from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services.intents import payment_subject
from marketplace.payments.states import PAYMENT_TRANSITIONS, REFUND_TRANSITIONS, PaymentStatus, RefundStatus
from marketplace.payments.stripe_gateway import BadGateway

STRIPE_REFUND_OUTCOMES = {"succeeded": "succeeded", "failed": "failed", "canceled": "cancelled"}


def _locked(model, row_id):
    return lock(db.session.get(model, row_id))


def _send_intent(payload, key):
    intent_id, secret, status = stripe_gateway.create_payment_intent(
        amount_fen=payload["amount_fen"], order_id=payload["order_id"], order_number=payload["order_number"],
        idempotency_key=key, payment_id=payload["payment_id"])
    return {"id": intent_id, "client_secret": secret, "status": status}


def _apply_intent(payload, result):
    payment = _locked(Payment, payload["payment_id"])
    if payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id, payment.client_secret = result["id"], result["client_secret"]


def _fail_intent(payload, error):
    payment = _locked(Payment, payload["payment_id"])
    if payment.stripe_payment_intent_id is None and payment.status == PaymentStatus.REQUIRES_PAYMENT:
        change = transition(payment, PAYMENT_TRANSITIONS, "fail")
        record_change(None, "payment.failed", payment, change, after={"error": error[:200]})


def settle_from_stripe(refund, stripe_status, source):
    """Move a refund to what Stripe says (pending, succeeded, failed, canceled); replays change nothing.
    A succeeded refund that Stripe later reports failed is undone."""
    outcome = STRIPE_REFUND_OUTCOMES.get(stripe_status)
    if refund.status == RefundStatus.REQUESTED:
        transition(refund, REFUND_TRANSITIONS, "accept")
    undo_late = refund.status == RefundStatus.SUCCEEDED and outcome in (RefundStatus.FAILED, RefundStatus.CANCELLED)
    if outcome and (refund.status == RefundStatus.PENDING or undo_late):
        order = db.session.get(Order, refund.order_id)
        services.settle_refund(refund, actor=None, outcome=outcome, source=source,
                               region_code=order.buyer_region_code)
    return refund


def _send_refund(payload, key):
    refund_id, status = stripe_gateway.create_refund(payment_intent_id=payload["payment_intent_id"],
                                                     amount_fen=payload["amount_fen"], idempotency_key=key,
                                                     refund_id=payload["refund_id"])
    return {"id": refund_id, "status": status}


def _apply_refund(payload, result):
    refund = _locked(Refund, payload["refund_id"])
    if refund.stripe_refund_id is None:
        refund.stripe_refund_id = result["id"]
    settle_from_stripe(refund, result["status"], "stripe_api")


def _fail_refund(payload, error):
    refund = _locked(Refund, payload["refund_id"])
    if refund.status == RefundStatus.REQUESTED:
        order = db.session.get(Order, refund.order_id)
        services.settle_refund(refund, actor=None, outcome=RefundStatus.FAILED, source="stripe_refused",
                               region_code=order.buyer_region_code)


def _send_cancel(payload, key):
    return {"status": stripe_gateway.cancel_payment_intent(payment_intent_id=payload["payment_intent_id"],
                                                           idempotency_key=key)}


def _apply_cancel(payload, result):
    record(None, "payment.intent_cancelled", "payment", payload["payment_id"],
           after={"stripe_payment_intent_id": payload["payment_intent_id"], "status": result["status"]})


def _fail_cancel(payload, error):
    """Stripe would not cancel (it was paid meanwhile): its success webhook refunds that charge."""
    record(None, "payment.intent_cancel_failed", "payment", payload["payment_id"],
           after={"stripe_payment_intent_id": payload["payment_intent_id"], "error": error[:200]})


HANDLERS = {
    "create_payment_intent": {"send": _send_intent, "apply": _apply_intent, "fail": _fail_intent},
    "create_refund": {"send": _send_refund, "apply": _apply_refund, "fail": _fail_refund},
    "cancel_payment_intent": {"send": _send_cancel, "apply": _apply_cancel, "fail": _fail_cancel},
}


def touch_payment_intent(payment_id):
    """A client's retry: the payment's PaymentIntent creation, if still unsent, is due now (sent after commit)."""
    for message in outbox.messages_for(payment_subject(payment_id), "create_payment_intent"):
        outbox.touch(message)


def payment_after_dispatch(actor, payment_id):
    """The payment with its client secret, read after commit and dispatch (``bp.respond_after_commit``).
    503 when Stripe could not make it yet: the request is saved, and POSTing again (same
    Idempotency-Key) or ``flask outbox run`` sends the same idempotency key; 502 when Stripe refused."""
    payment = db.session.get(Payment, payment_id)  # the id comes from the actor's own (replayed) answer
    if payment.method == "stripe" and payment.stripe_payment_intent_id is None:
        if payment.status == "failed":
            raise BadGateway("Stripe refused to create the payment; ask for a new one")
        raise ServiceUnavailable("Stripe could not create the payment yet; it is saved: retry the same request")
    return payment


def refund_after_dispatch(actor, refund_id):
    """The refund as it stands after commit and dispatch (requested when Stripe could not be reached:
    the outbox retries)."""
    return db.session.get(Refund, refund_id)
