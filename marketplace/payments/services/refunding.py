"""Refunds: by line and quantity, never above what was paid, reversed in the ledger."""
from sqlalchemy import select

from marketplace.audit.services import record, record_change
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, field_error
from marketplace.core.locks import lock
from marketplace.core.transitions import require_state, transition
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders import services as order_services
from marketplace.orders.states import ORDER_PAYMENT_TRANSITIONS
from marketplace.outbox import services as outbox
from marketplace.payments.models import Payment, Refund, RefundLine
from marketplace.payments.services.refund_undo import undo_refund
from marketplace.payments.states import (
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    UNDONE_REFUND_STATUSES,
    RefundStatus,
)

REFUNDABLE_ORDER_STATES = ORDER_PAYMENT_TRANSITIONS["refund_part"][0]
#: a refund's outcome → the refund transition that records it
SETTLE_ACTIONS = {RefundStatus.SUCCEEDED: "succeed", RefundStatus.FAILED: "fail", RefundStatus.CANCELLED: "cancel"}


def _line_error(index, field, message):
    return field_error(f"lines.{index}.{field}", message)


def line_amount(line, quantity):
    """q × unit price, or exactly the line's remainder when its last units are refunded."""
    if line.refunded_quantity + quantity == line.quantity:
        return line.amount_fen - line.refunded_fen
    return quantity * line.unit_price_fen


def _paid_payment(order):
    if order.payment_status not in REFUNDABLE_ORDER_STATES:
        raise InvalidTransition("order", order.payment_status, "refund")
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id,
                                                      Payment.status.in_(PAYMENT_TRANSITIONS["refund_part"][0]))
                                .order_by(Payment.id).limit(1))
    if payment is None:
        raise InvalidTransition("order", order.payment_status, "refund")
    return lock(payment)


def _lock_order(order):
    """Lock the order row, then re-read its lines so refunded quantities are current."""
    lock(order)
    for line in order.lines:
        db.session.refresh(line)
    return order


def _resolve_lines(actor, order, items, own_lines_only):
    """[(OrderLine, quantity)] in line-id order; 422 naming the offending entry."""
    by_id = {line.id: line for line in order.lines}
    seen, resolved = set(), []
    for index, item in enumerate(items):
        line = by_id.get(item["line_id"])
        if line is None or (own_lines_only and line.supplier_id != actor.organization_id):
            raise _line_error(index, "line_id", "no such line among the lines you may refund on this order")
        if line.id in seen:
            raise _line_error(index, "line_id", "the same line appears twice")
        seen.add(line.id)
        remaining = line.quantity - line.refunded_quantity
        if item["quantity"] > remaining:
            raise _line_error(index, "quantity", f"more than was paid and not yet refunded ({remaining})")
        resolved.append((line, item["quantity"]))
    return sorted(resolved, key=lambda pair: pair[0].id)


def _apply(actor, order, payment, resolved, reason):
    # Stripe refunds are requested until Stripe accepts them (outbox); bank ones pending for the admin.
    status = RefundStatus.REQUESTED if payment.method == "stripe" else RefundStatus.PENDING
    refund = Refund(payment_id=payment.id, order_id=order.id, reason=reason, status=status,
                    created_by_id=getattr(actor, "id", None), amount_fen=0)
    total = 0
    for line, quantity in resolved:
        amount = line_amount(line, quantity)
        refund.lines.append(RefundLine(order_line_id=line.id, quantity=quantity, amount_fen=amount))
        line.refunded_quantity += quantity
        line.refunded_fen += amount
        total += amount
    refund.amount_fen = total
    db.session.add(refund)
    payment.refunded_fen += total
    db.session.flush()
    action = "refund_all" if payment.refunded_fen == payment.amount_fen else "refund_part"
    transition(payment, PAYMENT_TRANSITIONS, action)
    transition(order, ORDER_PAYMENT_TRANSITIONS, action, column="payment_status")
    if payment.method == "stripe":
        outbox.enqueue("create_refund", f"refund:{refund.id}", {
            "refund_id": refund.id, "payment_intent_id": payment.stripe_payment_intent_id, "amount_fen": total})
    ledger.post_refund(refund)
    record(actor, "refund.create", "refund", refund.id, region_code=order.buyer_region_code,
           after={"order_id": order.id, "payment_id": payment.id, "amount_fen": total, "reason": reason,
                  "lines": [{"line_id": line.id, "quantity": q} for line, q in resolved],
                  "payment_status": payment.status})
    return refund


def issue_refund(*, actor, order, items, reason, own_lines_only=False):
    """Refund lines of a locked, paid order; ``own_lines_only`` limits a supplier to its lines."""
    payment = _paid_payment(order)
    return _apply(actor, order, payment, _resolve_lines(actor, order, items, own_lines_only), reason)


def create_refund(*, actor, order_id, data):
    """Refund quantities of an order's lines: a supplier only its own lines, an admin any line of an
    order it may change (buyer and every line in its scope).

    NotFound outside that scope; 422 for a line not refundable by the caller or more than was paid;
    409 when the order is not paid. Stripe refunds are ``requested`` and sent by the outbox after
    commit; bank-transfer refunds stay ``pending`` for an admin to execute.
    """
    order = _lock_order(order_services.get_changeable_order(actor, order_id))
    return issue_refund(actor=actor, order=order, items=data["lines"], reason=data["reason"],
                        own_lines_only=actor.role == "supplier_manager")


def refund_cancelled_order(*, actor, order):
    """Refund everything still paid on a cancelled order's lines; a no-op for an unpaid order.

    ``actor`` may be None (a webhook finding money for an order cancelled meanwhile).
    """
    if order.payment_status not in REFUNDABLE_ORDER_STATES:
        return None
    _lock_order(order)
    items = [{"line_id": line.id, "quantity": line.quantity - line.refunded_quantity}
             for line in order.lines if line.quantity > line.refunded_quantity]
    if not items:
        return None
    reason = f"order cancelled: {order.cancel_reason or ''}".strip()[:500]
    return issue_refund(actor=actor, order=order, items=items, reason=reason)


def list_refunds(*, actor, order_id):
    """The refunds of an order the caller may see (NotFound otherwise)."""
    order = order_services.get_visible_order(actor, order_id)
    return select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)


def settle_refund(refund, *, actor, outcome, source, region_code=""):
    """A requested or pending refund is settled: ``succeeded`` (its money left: booked out of cash),
    or ``failed``/``cancelled`` (undone: quantities freed, its reversal reversed). A succeeded
    refund that Stripe later reports failed is undone too (its payout booking included)."""
    change = transition(refund, REFUND_TRANSITIONS, SETTLE_ACTIONS[outcome])
    if outcome == RefundStatus.SUCCEEDED:
        ledger.post_refund_paid(refund)
    elif outcome in UNDONE_REFUND_STATUSES:
        undo_refund(refund)
    record_change(actor, f"refund.{outcome}", refund, change, after={"source": source}, region_code=region_code)
    return refund


def mark_refund_executed(*, actor, refund_id):
    """An admin records that a bank-transfer refund was paid out: pending → succeeded (409 otherwise)."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} not found")
    order = order_services.get_changeable_order(actor, refund.order_id)
    lock(refund)
    if refund.payment.method != "bank_transfer":
        raise Conflict("Stripe refunds are settled by Stripe's webhook", current_state=refund.status)
    require_state(refund, REFUND_TRANSITIONS, "succeed", verb="mark executed")
    return settle_refund(refund, actor=actor, outcome=RefundStatus.SUCCEEDED, source="bank_transfer",
                         region_code=order.buyer_region_code)
