"""A second successful charge of an already-paid order: its cash is owed back to the buyer at once.

Entry "payment" (key ``pay:<payment id>``): platform cash debited, the order's clearing credited;
entry "refund" (key ``refund:<refund id>``): clearing debited, ``refunds_payable`` credited. No
line is attributed, the clearing account nets to zero, and the refund's payout (``refund_paid``)
or its failure (``post_refund_failed``) follow like any refund's.
"""
from marketplace.extensions import db
from marketplace.ledger.services import accounts as acc
from marketplace.ledger.services.attribution import payment_key
from marketplace.ledger.services.journal import EntryDraft, write_entries
from marketplace.ledger.services.refunds import refund_key


def post_duplicate_charge(payment, refund):
    db.session.flush()
    ids = acc.ensure_accounts([acc.platform_cash(), acc.clearing(payment.order_id), acc.refunds_payable()])
    cash, clearing = ids[acc.key(acc.platform_cash())], ids[acc.key(acc.clearing(payment.order_id))]
    received = EntryDraft(kind="payment", idempotency_key=payment_key(payment.id), order_id=payment.order_id,
                          payment_id=payment.id, memo="duplicate charge: owed back")
    received.post(cash, payment.amount_fen)
    received.post(clearing, -payment.amount_fen)
    owed = EntryDraft(kind="refund", idempotency_key=refund_key(refund.id), order_id=payment.order_id,
                      payment_id=payment.id, refund_id=refund.id)
    owed.post(clearing, payment.amount_fen)
    owed.post(ids[acc.key(acc.refunds_payable())], -payment.amount_fen)
    write_entries([received, owed])
