"""Refunds: by line and quantity, never above what was paid, reversed in the ledger."""
from sqlalchemy import select

from marketplace.audit.services import record
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, Unprocessable
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders import services as order_services
from marketplace.outbox import services as outbox
from marketplace.payments.models import Payment, Refund, RefundLine
from marketplace.payments.services.paying import PAID_STATUSES, _lock
from marketplace.payments.services.refund_undo import UNDONE_STATES, undo_refund

REFUNDABLE_ORDER_STATES = ("paid", "partially_refunded")


def _line_error(index, field, message):
    return Unprocessable(f"lines[{index}].{field}: {message}", errors={"lines": {str(index): {field: [message]}}})


def line_amount(line, quantity):
    """q × unit price, or exactly the line's remainder when its last units are refunded."""
    if line.refunded_quantity + quantity == line.quantity:
        return line.amount_fen - line.refunded_fen
    return quantity * line.unit_price_fen


def _paid_payment(order):
    if order.payment_status not in REFUNDABLE_ORDER_STATES:
        raise InvalidTransition("order", order.payment_status, "refund")
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id,
                                                      Payment.status.in_(PAID_STATUSES[:2]))
                                .order_by(Payment.id).limit(1))
    if payment is None:
        raise InvalidTransition("order", order.payment_status, "refund")
    return _lock(payment)


def _lock_order(order):
    """Lock the order row, then re-read its lines so refunded quantities are current."""
    _lock(order)
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
    # Stripe refunds are "requested" until Stripe accepts them (outbox); bank ones "pending" for the admin.
    refund = Refund(payment_id=payment.id, order_id=order.id, reason=reason,
                    status="requested" if payment.method == "stripe" else "pending",
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
    payment.status = "refunded" if payment.refunded_fen == payment.amount_fen else "partially_refunded"
    order.payment_status = payment.status
    db.session.flush()
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
    """Refund quantities of an order's lines: a supplier only its own lines, an admin any in scope.

    NotFound outside scope; 422 for a line not refundable by the caller or more than was paid;
    409 when the order is not paid. Stripe refunds are ``requested`` and sent by the outbox after
    commit; bank-transfer refunds stay ``pending`` for an admin to execute.
    """
    order = _lock_order(order_services.get_visible_order(actor, order_id))
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
    before = refund.status
    refund.status = outcome
    if outcome == "succeeded":
        ledger.post_refund_paid(refund)
    elif outcome in UNDONE_STATES:
        undo_refund(refund)
    record(actor, f"refund.{outcome}", "refund", refund.id, region_code=region_code,
           before={"status": before}, after={"status": outcome, "source": source})
    return refund


def mark_refund_executed(*, actor, refund_id):
    """An admin records that a bank-transfer refund was paid out: pending → succeeded (409 otherwise)."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} not found")
    order = order_services.get_visible_order(actor, refund.order_id)
    _lock(refund)
    if refund.payment.method != "bank_transfer":
        raise Conflict("Stripe refunds are settled by Stripe's webhook", current_state=refund.status)
    if refund.status != "pending":
        raise InvalidTransition("refund", refund.status, "mark executed")
    return settle_refund(refund, actor=actor, outcome="succeeded", source="bank_transfer",
                         region_code=order.buyer_region_code)
