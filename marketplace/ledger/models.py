"""The double-entry ledger: accounts, journal entries and their postings.

Sign convention (the reports engineer relies on it):

* ``postings.amount_fen > 0`` is a **debit**, ``< 0`` a **credit**; never 0.
* Every journal entry's postings sum to exactly 0 and there are at least two.
* Recipients' income accounts (``household_income``, ``collective_income``,
  ``supplier``) are **credited** (negative) on attribution and **debited**
  (positive) when a refund reverses it. So a recipient's income is
  ``-SUM(postings.amount_fen)`` over its account; a debit (positive) balance on
  an income account is a breach.
* ``platform_cash`` is debited when money arrives and credited when it leaves;
  ``order_clearing`` (one per order) is credited by the payment, debited by the
  attribution of each line, and nets to 0 once a payment is fully attributed;
  ``refunds_payable`` is credited when a refund is booked and debited when the
  money is actually returned.

Postings carry ``order_line_id`` and ``benefit_mode`` (``operating`` = by supply,
经营性; ``asset`` = by shares, 资产性; ``collective``; ``supplier``) and a copy of
the entry's ``created_at`` so date-range reports never join the entries.

``journal_entries`` and ``postings`` are append-only in the database (UPDATE and
DELETE refused on both engines). On PostgreSQL a deferred constraint trigger
also refuses a commit that leaves any new entry unbalanced or with < 2 postings.
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DDL, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.append_only import make_append_only
from marketplace.core.db import Base, Fen, UtcDateTime, bigint_pk, check_one_of, enum_values, utcnow


class AccountKind(StrEnum):
    PLATFORM_CASH = "platform_cash"
    ORDER_CLEARING = "order_clearing"
    SUPPLIER = "supplier"
    HOUSEHOLD_INCOME = "household_income"
    COLLECTIVE_INCOME = "collective_income"
    REFUNDS_PAYABLE = "refunds_payable"


class EntryKind(StrEnum):
    PAYMENT = "payment"
    ATTRIBUTION = "attribution"
    REFUND_ATTRIBUTION = "refund_attribution"
    REFUND = "refund"
    REFUND_PAID = "refund_paid"


class BenefitMode(StrEnum):
    OPERATING = "operating"
    ASSET = "asset"
    COLLECTIVE = "collective"
    SUPPLIER = "supplier"


ACCOUNT_KINDS = enum_values(AccountKind)
#: Accounts whose credit balance is somebody's attributed income.
INCOME_KINDS = enum_values((AccountKind.SUPPLIER, AccountKind.HOUSEHOLD_INCOME, AccountKind.COLLECTIVE_INCOME))
ENTRY_KINDS = enum_values(EntryKind)
BENEFIT_MODES = enum_values(BenefitMode)


class LedgerAccount(Base):
    """An account; unique per (kind, owner). Created on first use (get-or-create in the services)."""

    __tablename__ = "ledger_accounts"
    id: Mapped[int] = bigint_pk()
    kind: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    #: Set for ``order_clearing`` accounts only (one per order).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    #: "org:<id>", "household:<id>", "order:<id>" or "" (platform accounts): makes (kind, owner) unique
    #: portably (NULLs never collide in a unique constraint).
    owner_key: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("kind", "owner_key", name="uq_ledger_accounts_kind_owner"),
        check_one_of("kind", AccountKind),
    )


class JournalEntry(Base):
    """One balanced business event; never edited, only reversed by later entries."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = bigint_pk()
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    #: The attribution scheme row used (None = the built-in default) and its version.
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("attribution_schemes.id"))
    scheme_version: Mapped[int | None] = mapped_column(Integer)
    #: "pay:<payment>", "attr:<payment>:<line>", "refund:<refund>:<line>", "refund:<refund>",
    #: "refund_paid:<refund>": a replay of the same event posts nothing.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    #: Why money went where it did, e.g. "households_by_supply had no recipients: fell to supplier".
    memo: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    postings = relationship("Posting", order_by="Posting.id", lazy="selectin", viewonly=True)

    __table_args__ = (check_one_of("kind", EntryKind),)


class Posting(Base):
    """One signed line of an entry: > 0 debit, < 0 credit (see the module docstring)."""

    __tablename__ = "postings"
    id: Mapped[int] = bigint_pk()
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("journal_entries.id"), index=True)
    #: Indexed by ix_postings_account_amount (account_id first), which also serves balances.
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_accounts.id"))
    amount_fen: Mapped[Fen]
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    #: operating (by supply, 经营性) | asset (by shares, 资产性) | collective | supplier; None for cash/clearing.
    benefit_mode: Mapped[str | None] = mapped_column(String(12))
    #: Copy of the entry's created_at, for date-range aggregates without a join.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="amount_non_zero"),
        check_one_of("benefit_mode", BenefitMode, name="mode_known", nullable=True),
    )


#: Balance of one account = one aggregate over this index (index-only on PostgreSQL).
Index("ix_postings_account_amount", Posting.account_id, Posting.amount_fen)

make_append_only(JournalEntry.__table__)
make_append_only(Posting.__table__)


def balance_check_statements():
    """PostgreSQL DDL: deferred constraint triggers refusing an unbalanced entry or one with < 2 postings.

    Checked at COMMIT (DEFERRABLE INITIALLY DEFERRED), for every entry inserted and every older
    entry that received a posting in the transaction (needs PostgreSQL 13+ for
    ``pg_current_xact_id``). Reused verbatim by the migration.
    """
    return [
        """CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger AS $$
DECLARE
  eid bigint;
  total numeric;
  n integer;
BEGIN
  IF TG_TABLE_NAME = 'postings' THEN
    eid := NEW.entry_id;
    -- An entry inserted by this very transaction is checked once by its own trigger on
    -- journal_entries (deferred triggers see the final state), so its postings need not repeat
    -- the sum. Inside a savepoint xmin is a subtransaction id: no match, full check (safe side).
    IF EXISTS (SELECT 1 FROM journal_entries WHERE id = eid AND xmin = pg_current_xact_id()::xid) THEN
      RETURN NULL;
    END IF;
  ELSE
    eid := NEW.id;
  END IF;
  SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) INTO total, n FROM postings WHERE entry_id = eid;
  IF total <> 0 OR n < 2 THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = 'journal entry ' || eid || ' is unbalanced: sum ' || total || ' fen, ' || n || ' postings';
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
        """CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()""",
        """CREATE CONSTRAINT TRIGGER postings_entry_balanced AFTER INSERT ON postings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()""",
    ]


def balance_check_drop_statements():
    return ["DROP FUNCTION IF EXISTS ledger_entry_balanced() CASCADE"]


# The function is created with the first table; each trigger after its own table exists.
_function, _entries_trigger, _postings_trigger = balance_check_statements()
event.listen(JournalEntry.__table__, "after_create", DDL(_function).execute_if(dialect="postgresql"))
event.listen(JournalEntry.__table__, "after_create", DDL(_entries_trigger).execute_if(dialect="postgresql"))
event.listen(Posting.__table__, "after_create", DDL(_postings_trigger).execute_if(dialect="postgresql"))
