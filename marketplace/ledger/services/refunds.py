"""Posting refunds: reverse each refunded line's attribution, then book the money owed back.

Per refund line, entry "refund_attribution" (key ``refund:<refund id>:<refund line id>``): each
recipient (account and benefit mode) of that order line is DEBITED its part of the refund,
allocated by ``refund_parts`` in proportion to what it still holds (credited minus already
reversed), ties to the lowest (account id, mode); the order's clearing account is credited the
line's refund amount. No recipient is ever credited by a refund, never goes below zero on the
line, and a full refund leaves every recipient of the line at exactly zero.

Then entry "refund" (key ``refund:<refund id>``): clearing debited the refund total,
``refunds_payable`` credited (the platform owes the buyer). When the money has actually left
(Stripe refund succeeded, the admin executed the bank refund), :func:`post_refund_paid` moves
it: ``refunds_payable`` debited, ``platform_cash`` credited. After a full refund and its payout,
the order's clearing account, every account's postings on its lines, and the order's share of
platform cash all net to zero.
"""
from sqlalchemy import func, select

from marketplace.core.errors import Unprocessable
from marketplace.extensions import db
from marketplace.ledger.attribution_maths import refund_parts
from marketplace.ledger.models import INCOME_KINDS, LedgerAccount, Posting
from marketplace.ledger.services import accounts as acc
from marketplace.ledger.services.journal import EntryDraft, existing_keys, write_entries


def refund_line_key(refund_id, refund_line_id):
    return f"refund:{refund_id}:{refund_line_id}"


def refund_key(refund_id):
    return f"refund:{refund_id}"


def held_by_recipients(order_line_id) -> list[tuple[int, str, int]]:
    """[(account_id, benefit_mode, fen still held)] for one order line's recipients, ordered by
    (account id, mode); only positive holdings. One aggregate."""
    rows = db.session.execute(
        select(Posting.account_id, Posting.benefit_mode, func.sum(Posting.amount_fen))
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(Posting.order_line_id == order_line_id, LedgerAccount.kind.in_(INCOME_KINDS))
        .group_by(Posting.account_id, Posting.benefit_mode)
        .order_by(Posting.account_id, Posting.benefit_mode))
    return [(int(a), mode, -int(total)) for a, mode, total in rows if total < 0]


def _reverse_line(refund, refund_line, clearing_id):
    held = held_by_recipients(refund_line.order_line_id)
    available = sum(h for _, _, h in held)
    if refund_line.amount_fen > available:
        raise Unprocessable(f"refund of {refund_line.amount_fen} fen exceeds the {available} fen still attributed "
                            f"to order line {refund_line.order_line_id}",
                            errors={"lines": ["more than was paid"]})
    parts = refund_parts(refund_line.amount_fen, [h for _, _, h in held], [(a, m) for a, m, _ in held])
    draft = EntryDraft(kind="refund_attribution", idempotency_key=refund_line_key(refund.id, refund_line.id),
                       order_id=refund.order_id, payment_id=refund.payment_id, refund_id=refund.id,
                       order_line_id=refund_line.order_line_id)
    for (account_id, mode, _), part in zip(held, parts, strict=True):
        draft.post(account_id, part, refund_line.order_line_id, mode)
    draft.post(clearing_id, -refund_line.amount_fen, refund_line.order_line_id)
    return draft


def post_refund(refund):
    """Reverse a refund's lines in proportion to what each recipient still holds, then book the
    total as owed to the buyer (see the module docstring). Idempotent per refund line and per refund.

    Raises Unprocessable (422) if a line's refund exceeds what is still attributed to it, and
    ValueError if the refund's amount is not the sum of its lines. The entries carry the refund's
    date (``refund.created_at``). Flushes, never commits.
    """
    db.session.flush()
    at = refund.created_at
    lines = sorted(refund.lines, key=lambda rl: rl.id)
    total = sum(rl.amount_fen for rl in lines)
    if total != refund.amount_fen:
        raise ValueError(f"refund {refund.id}: amount {refund.amount_fen} != sum of its lines {total}")
    done = existing_keys([refund_key(refund.id)] + [refund_line_key(refund.id, rl.id) for rl in lines])
    ids = acc.ensure_accounts([acc.clearing(refund.order_id), acc.refunds_payable()])
    clearing_id = ids[acc.key(acc.clearing(refund.order_id))]
    for refund_line in lines:
        # One line at a time: the next line of the same order line must see this one's reversal.
        if refund_line_key(refund.id, refund_line.id) not in done:
            draft = _reverse_line(refund, refund_line, clearing_id)
            draft.created_at = at
            write_entries([draft])
    if refund_key(refund.id) not in done:
        draft = EntryDraft(kind="refund", idempotency_key=refund_key(refund.id), order_id=refund.order_id,
                           payment_id=refund.payment_id, refund_id=refund.id, created_at=at)
        draft.post(clearing_id, total)
        draft.post(ids[acc.key(acc.refunds_payable())], -total)
        write_entries([draft])


def post_refund_paid(refund):
    """The refund's money has left (Stripe refund succeeded, or the admin executed the bank transfer):
    ``refunds_payable`` debited, ``platform_cash`` credited. Idempotent ("refund_paid:<refund id>")."""
    db.session.flush()
    ids = acc.ensure_accounts([acc.refunds_payable(), acc.platform_cash()])
    draft = EntryDraft(kind="refund_paid", idempotency_key=f"refund_paid:{refund.id}", order_id=refund.order_id,
                       payment_id=refund.payment_id, refund_id=refund.id)
    draft.post(ids[acc.key(acc.refunds_payable())], refund.amount_fen)
    draft.post(ids[acc.key(acc.platform_cash())], -refund.amount_fen)
    write_entries([draft])
