"""A refund that failed (or was cancelled) at Stripe: its postings are reversed exactly.

Every posting of the refund's entries (``refund_attribution`` per line, ``refund``, and
``refund_paid`` if the money had been booked out) is posted again with the opposite sign, in an
entry of the same kind keyed ``refund_failed:<refund id>[:<line>|:paid]``. Each household,
supplier and collective gets back exactly what the refund took from it on that line, the
order's clearing account and ``refunds_payable`` return to where they were, and the line can be
refunded again. Idempotent per key.
"""
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, Posting
from marketplace.ledger.services.journal import EntryDraft, write_entries

FAILED_PREFIX = "refund_failed:"


def refund_failed_key(refund_id, suffix=None):
    return f"{FAILED_PREFIX}{refund_id}" + (f":{suffix}" if suffix is not None else "")


def _mirror_key(entry, refund_id):
    if entry.kind == "refund_attribution":
        return refund_failed_key(refund_id, entry.idempotency_key.rsplit(":", 1)[1])
    return refund_failed_key(refund_id, "paid" if entry.kind == "refund_paid" else None)


def post_refund_failed(refund):
    """Reverse every posting the refund made (see the module docstring). Flushes, never commits."""
    db.session.flush()
    entries = db.session.scalars(select(JournalEntry).where(
        JournalEntry.refund_id == refund.id, ~JournalEntry.idempotency_key.startswith(FAILED_PREFIX, autoescape=True))
        .order_by(JournalEntry.id)).all()
    drafts = []
    for entry in entries:
        draft = EntryDraft(kind=entry.kind, idempotency_key=_mirror_key(entry, refund.id), order_id=entry.order_id,
                           payment_id=entry.payment_id, refund_id=refund.id, order_line_id=entry.order_line_id,
                           memo=f"reverses {entry.idempotency_key}: the refund {refund.status}")
        for posting in db.session.scalars(select(Posting).where(Posting.entry_id == entry.id).order_by(Posting.id)):
            draft.post(posting.account_id, -posting.amount_fen, posting.order_line_id, posting.benefit_mode)
        drafts.append(draft)
    write_entries(drafts)
