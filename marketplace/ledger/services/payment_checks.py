"""Reconciliation of the ledger against payments and refunds (part of ``flask ledger check``)."""
from sqlalchemy import and_, exists, func, select

from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.ledger.services.refund_failures import FAILED_PREFIX
from marketplace.payments.models import Payment, Refund

LIMIT = 50
UNREFUNDED_CHARGES = ("succeeded", "partially_refunded")


def _double_charges():
    """No order has two successful charges that are not (fully) refunded."""
    stmt = (select(Payment.order_id, func.count(Payment.id)).where(Payment.status.in_(UNREFUNDED_CHARGES))
            .group_by(Payment.order_id).having(func.count(Payment.id) > 1).order_by(Payment.order_id).limit(LIMIT))
    return [f"order {o}: {n} successful charges not refunded (at most one may stand)"
            for o, n in db.session.execute(stmt)]


def _refund_reversals():
    """A succeeded refund has its reversal (and no undoing of it); a failed or cancelled one has none
    left standing (its reversal was undone)."""
    of_refund = JournalEntry.refund_id == Refund.id
    booked = exists().where(of_refund, JournalEntry.kind == "refund",
                            ~JournalEntry.idempotency_key.startswith(FAILED_PREFIX, autoescape=True))
    undone = exists().where(of_refund, JournalEntry.idempotency_key.startswith(FAILED_PREFIX, autoescape=True))
    stmt = (select(Refund.id, Refund.status).where(
        (and_(Refund.status == "succeeded", (~booked) | undone))
        | and_(Refund.status.in_(("failed", "cancelled")), booked, ~undone))
        .order_by(Refund.id).limit(LIMIT))
    return [f"refund {r}: {status} but its reversal is {'missing' if status == 'succeeded' else 'still standing'}"
            for r, status in db.session.execute(stmt)]


def check_payments_against_ledger() -> list[str]:
    return _double_charges() + _refund_reversals()
