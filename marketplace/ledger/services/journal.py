"""Writing balanced journal entries in bulk (the only place postings are inserted)."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.core.pgdb import copy_rows
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, Posting
from marketplace.ledger.services.accounts import dialect_insert

ENTRY_BATCH = 2000


class UnbalancedEntry(AssertionError):
    """A bug: an entry about to be written does not sum to zero or has fewer than two postings."""


@dataclass
class EntryDraft:
    """An entry before it is written. ``postings`` are (account_id, amount_fen, order_line_id, benefit_mode)."""

    kind: str
    idempotency_key: str
    order_id: int | None = None
    payment_id: int | None = None
    refund_id: int | None = None
    order_line_id: int | None = None
    scheme_id: int | None = None
    scheme_version: int | None = None
    memo: str = ""
    postings: list = field(default_factory=list)
    #: when the entry is dated (default: now); set only when back-filling (``seed scale``)
    created_at: datetime | None = None

    def post(self, account_id, amount_fen, order_line_id=None, benefit_mode=None):
        if amount_fen:
            self.postings.append((account_id, amount_fen, order_line_id, benefit_mode))

    def check(self):
        if len(self.postings) < 2 or sum(p[1] for p in self.postings) != 0:
            raise UnbalancedEntry(f"entry {self.idempotency_key} is unbalanced or has < 2 postings")


def existing_keys(keys) -> set:
    """Which of these idempotency keys are already in the journal."""
    keys = list(keys)
    found = set()
    for start in range(0, len(keys), 500):
        found.update(db.session.scalars(select(JournalEntry.idempotency_key)
                                        .where(JournalEntry.idempotency_key.in_(keys[start:start + 500]))))
    return found


def write_entries(drafts: list[EntryDraft]) -> set:
    """Insert the drafts and their postings with bulk statements; returns the keys actually written.

    Every draft is checked (sum 0, >= 2 postings) before anything is sent. An entry whose key is
    already in the journal (a replay, or a concurrent transaction that committed first) is skipped
    with its postings: ON CONFLICT DO NOTHING on the unique idempotency key.
    """
    for draft in drafts:
        draft.check()
    if not drafts:
        return set()
    now = utcnow()
    columns = ("kind", "idempotency_key", "order_id", "payment_id", "refund_id", "order_line_id", "scheme_id",
               "scheme_version", "memo")
    table = JournalEntry.__table__
    stmt = (dialect_insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id, table.c.idempotency_key))
    ids = {}
    for start in range(0, len(drafts), ENTRY_BATCH):
        rows = [{**{c: getattr(d, c) for c in columns}, "created_at": d.created_at or now}
                for d in drafts[start:start + ENTRY_BATCH]]
        ids.update({k: i for i, k in db.session.execute(stmt, rows)})
    postings = [{"entry_id": ids[d.idempotency_key], "account_id": account_id, "amount_fen": amount,
                 "order_line_id": line_id, "benefit_mode": mode, "created_at": d.created_at or now}
                for d in drafts if d.idempotency_key in ids
                for account_id, amount, line_id, mode in d.postings]
    if postings:
        _insert_postings(postings)
    return set(ids)


POSTING_COLUMNS = ("entry_id", "account_id", "amount_fen", "order_line_id", "benefit_mode", "created_at")


def _insert_postings(rows):
    """PostgreSQL: COPY on the session's own connection (same transaction, triggers fire);
    elsewhere one executemany INSERT. Never row-by-row ORM adds."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(Posting.__table__.insert(), rows)
        return
    copy_rows(connection, "postings", POSTING_COLUMNS, ([row[c] for c in POSTING_COLUMNS] for row in rows))
