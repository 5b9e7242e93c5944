"""What the outbox dispatcher does with payments' messages, and the endpoints' after-commit step.

``send`` only talks to Stripe (no database); ``apply`` records Stripe's answer on the business
rows, ``fail`` undoes the business change when Stripe refused for good. Both run inside the
dispatcher's record transaction, with the outbox row locked, so they apply once.
"""
from marketplace.audit.services import record
from marketplace.core.errors import ServiceUnavailable
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.outbox import dispatch
from marketplace.outbox import services as outbox
from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services.intents import payment_subject
from marketplace.payments.stripe_gateway import BadGateway

STRIPE_REFUND_OUTCOMES = {"succeeded": "succeeded", "failed": "failed", "canceled": "cancelled"}


def _locked(model, row_id):
    row = db.session.get(model, row_id)
    db.session.refresh(row, with_for_update=True)
    return row


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
    if payment.stripe_payment_intent_id is None and payment.status == "requires_payment":
        payment.status = "failed"
        record(None, "payment.failed", "payment", payment.id, before={"status": "requires_payment"},
               after={"status": "failed", "error": error[:200]})


def settle_from_stripe(refund, stripe_status, source):
    """Move a refund to what Stripe says (pending, succeeded, failed, canceled); replays change nothing.
    A succeeded refund that Stripe later reports failed is undone."""
    outcome = STRIPE_REFUND_OUTCOMES.get(stripe_status)
    if refund.status == "requested":
        refund.status = "pending"
    undo_late = refund.status == "succeeded" and outcome in ("failed", "cancelled")
    if outcome and (refund.status == "pending" or undo_late):
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
    if refund.status == "requested":
        order = db.session.get(Order, refund.order_id)
        services.settle_refund(refund, actor=None, outcome="failed", source="stripe_refused",
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


def payment_after_dispatch(actor, payment_id):
    """Commit, send the payment's PaymentIntent creation (again, if an earlier try failed), and return
    the payment with its client secret. 503 when Stripe could not make it yet: the request is saved,
    and POSTing again (or ``flask outbox run``) sends the same idempotency key."""
    payment = services.get_visible_payment(actor, payment_id)
    if payment.method == "stripe" and payment.stripe_payment_intent_id is None:
        for message in outbox.messages_for(payment_subject(payment.id), "create_payment_intent"):
            outbox.touch(message)
    dispatch.commit_and_dispatch()
    payment = services.get_visible_payment(actor, payment_id)
    if payment.method == "stripe" and payment.stripe_payment_intent_id is None:
        if payment.status == "failed":
            raise BadGateway("Stripe refused to create the payment; ask for a new one")
        raise ServiceUnavailable("Stripe could not create the payment yet; it is saved: retry the same request")
    return payment


def refund_after_dispatch(actor, refund_id):
    """Commit and send the refund to Stripe now; the refund as it then stands (requested when Stripe
    could not be reached: the outbox retries)."""
    dispatch.commit_and_dispatch()
    return db.session.get(Refund, refund_id)
