"""Reconciliation: every ledger invariant as one aggregate query each (``flask ledger check``)."""
from sqlalchemy import and_, case, func, or_, select

from marketplace.extensions import db
from marketplace.ledger.models import INCOME_KINDS, JournalEntry, LedgerAccount, Posting
from marketplace.orders.models import OrderLine

LIMIT = 50


def _unbalanced_entries():
    stmt = (select(JournalEntry.id, func.coalesce(func.sum(Posting.amount_fen), 0), func.count(Posting.id))
            .outerjoin(Posting, Posting.entry_id == JournalEntry.id).group_by(JournalEntry.id)
            .having(or_(func.coalesce(func.sum(Posting.amount_fen), 0) != 0, func.count(Posting.id) < 2))
            .order_by(JournalEntry.id).limit(LIMIT))
    return [f"entry {e}: postings sum to {s} fen over {n} postings (must be 0 over >= 2)"
            for e, s, n in db.session.execute(stmt)]


def _clearing_not_zero():
    stmt = (select(LedgerAccount.order_id, func.sum(Posting.amount_fen))
            .join(Posting, Posting.account_id == LedgerAccount.id).where(LedgerAccount.kind == "order_clearing")
            .group_by(LedgerAccount.id, LedgerAccount.order_id).having(func.sum(Posting.amount_fen) != 0)
            .order_by(LedgerAccount.order_id).limit(LIMIT))
    return [f"order {o}: clearing account holds {s} fen after posting (must net to 0)"
            for o, s in db.session.execute(stmt)]


def _income_overdrawn():
    """No recipient has a debit balance, in total or on any single order line (a refund never overdraws)."""
    income = LedgerAccount.kind.in_(INCOME_KINDS)
    total = (select(Posting.account_id, func.sum(Posting.amount_fen))
             .join(LedgerAccount, LedgerAccount.id == Posting.account_id).where(income)
             .group_by(Posting.account_id).having(func.sum(Posting.amount_fen) > 0).limit(LIMIT))
    per_line = (select(Posting.account_id, Posting.order_line_id, func.sum(Posting.amount_fen))
                .join(LedgerAccount, LedgerAccount.id == Posting.account_id).where(income)
                .group_by(Posting.account_id, Posting.order_line_id).having(func.sum(Posting.amount_fen) > 0)
                .limit(LIMIT))
    return ([f"account {a}: income account has a debit balance of {s} fen" for a, s in db.session.execute(total)]
            + [f"account {a}, order line {line}: refunds reversed {s} fen more than was attributed"
               for a, line, s in db.session.execute(per_line)])


def _refunds_above_paid():
    """Per order line: attributed once at most, exactly the line amount, and refunds <= attributed."""
    attributed = func.sum(case((and_(JournalEntry.kind == "attribution", Posting.amount_fen > 0),
                                Posting.amount_fen), else_=0))
    # net of the reversals of failed refunds (same kind, opposite sign)
    refunded = func.sum(case((JournalEntry.kind == "refund_attribution", -Posting.amount_fen), else_=0))
    stmt = (select(OrderLine.id, OrderLine.amount_fen, attributed, refunded)
            .join(Posting, Posting.order_line_id == OrderLine.id)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
            .where(LedgerAccount.kind == "order_clearing")
            .group_by(OrderLine.id, OrderLine.amount_fen)
            .having(or_(attributed != OrderLine.amount_fen, refunded > attributed)).limit(LIMIT))
    return [f"order line {line}: amount {amount} fen, attributed {a} fen, refunded {r} fen "
            f"(attributed must equal the amount, refunded must not exceed it)"
            for line, amount, a, r in db.session.execute(stmt)]


def _posting_times():
    stmt = (select(Posting.id, Posting.entry_id).join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(Posting.created_at != JournalEntry.created_at).limit(LIMIT))
    return [f"posting {p}: created_at differs from its entry {e}" for p, e in db.session.execute(stmt)]


def check_ledger() -> list[str]:
    """Every breach of the ledger invariants, as sentences (empty = healthy).

    Checks: each entry sums to 0 over >= 2 postings; each order's clearing account nets to 0;
    no income account (supplier, household, collective) has a debit balance, in total or per
    order line; each attributed line was attributed exactly its amount and refunded no more; each
    posting carries its entry's created_at; no order has two unrefunded charges; a succeeded refund
    has its reversal, a failed one none standing. At most 50 breaches per check are listed.
    """
    from marketplace.ledger.services.payment_checks import check_payments_against_ledger

    return (_unbalanced_entries() + _clearing_not_zero() + _income_overdrawn() + _refunds_above_paid()
            + _posting_times() + check_payments_against_ledger())


def ledger_counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(JournalEntry)),
            db.session.scalar(select(func.count()).select_from(Posting)))
