"""Ledger accounts: get-or-create by (kind, owner) in bulk, and balances."""
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import LedgerAccount, Posting

_OWNER_PREFIX = {"organization_id": "org", "household_id": "household", "order_id": "order"}


def account_spec(kind, *, organization_id=None, household_id=None, order_id=None):
    """A hashable description of an account: (kind, owner_key, organization_id, household_id, order_id)."""
    owner = ""
    if organization_id is not None:
        owner = f"org:{organization_id}"
    elif household_id is not None:
        owner = f"household:{household_id}"
    elif order_id is not None:
        owner = f"order:{order_id}"
    return (kind, owner, organization_id, household_id, order_id)


def platform_cash():
    return account_spec("platform_cash")


def refunds_payable():
    return account_spec("refunds_payable")


def clearing(order_id):
    return account_spec("order_clearing", order_id=order_id)


def supplier(org_id):
    return account_spec("supplier", organization_id=org_id)


def collective(org_id):
    return account_spec("collective_income", organization_id=org_id)


def household(household_id):
    return account_spec("household_income", household_id=household_id)


def dialect_insert(table):
    """INSERT with ON CONFLICT support on both engines."""
    if db.session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def _lookup(specs, found):
    keys = [(s[0], s[1]) for s in specs if (s[0], s[1]) not in found]
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = db.session.execute(select(LedgerAccount.kind, LedgerAccount.owner_key, LedgerAccount.id)
                                  .where(tuple_(LedgerAccount.kind, LedgerAccount.owner_key).in_(chunk)))
        for kind, owner, account_id in rows:
            found[(kind, owner)] = account_id


def ensure_accounts(specs) -> dict:
    """Map each spec (see :func:`account_spec`) to its account id, creating the missing ones.

    Missing accounts are inserted in the order given (callers pass households in household-id
    order, so account ids follow household ids) with ON CONFLICT DO NOTHING, so two transactions
    creating the same account never fail. Returns {(kind, owner_key): account_id}.
    """
    unique = list(dict.fromkeys(specs))
    found: dict = {}
    _lookup(unique, found)
    missing = [s for s in unique if (s[0], s[1]) not in found]
    if missing:
        now = utcnow()
        rows = [{"kind": k, "owner_key": o, "organization_id": org, "household_id": hh, "order_id": order,
                 "created_at": now} for k, o, org, hh, order in missing]
        stmt = dialect_insert(LedgerAccount.__table__).on_conflict_do_nothing(
            index_elements=["kind", "owner_key"])
        db.session.execute(stmt, rows)
        _lookup(missing, found)
    return found


def key(spec):
    return (spec[0], spec[1])


def account_balance(account_id: int) -> int:
    """The signed balance (debits positive) of one account: one aggregate over ix_postings_account_amount."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Posting.amount_fen), 0))
                                 .where(Posting.account_id == account_id)))
