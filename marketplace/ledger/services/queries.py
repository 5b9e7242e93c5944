"""Read side of the ledger: an order's attribution, a household's income, entries and accounts."""
from collections import defaultdict

from sqlalchemy import exists, func, or_, select

from marketplace.core.clock import day_end_utc, day_start_utc, local_date, year_bounds_utc
from marketplace.core.errors import NotFound
from marketplace.core.scope import in_scope_clause, may_see
from marketplace.extensions import db
from marketplace.households import services as household_services
from marketplace.ledger.models import INCOME_KINDS, JournalEntry, LedgerAccount, Posting
from marketplace.ledger.services.accounts import account_balance
from marketplace.orders.models import Order, OrderLine
from marketplace.organizations.models import Organization


def _recipient(account, households, orgs):
    if account.household_id is not None:
        return household_services.masked_household(households[account.household_id])
    org = orgs.get(account.organization_id)
    return {"organization_id": org.id, "name": org.name, "kind": org.kind} if org else None


def _load_owners(accounts):
    hh_ids = {a.household_id for a in accounts if a.household_id is not None}
    org_ids = {a.organization_id for a in accounts if a.organization_id is not None}
    households = {h: household_services.get_household(h) for h in sorted(hh_ids)}
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
    return households, orgs


def attribution_for_order(order, lines) -> dict:
    """Per visible line: scheme version, memo, and the parts by recipient (households masked).

    A part is one recipient account and benefit mode: ``attributed_fen`` (credited on payment),
    ``refunded_fen`` (reversed by refunds) and ``amount_fen`` (what it holds now).
    """
    line_ids = [line.id for line in lines]
    entries = {e.order_line_id: e for e in db.session.scalars(
        select(JournalEntry).where(JournalEntry.kind == "attribution", JournalEntry.order_line_id.in_(line_ids)))}
    rows = db.session.execute(
        select(Posting.order_line_id, Posting.account_id, Posting.benefit_mode,
               func.sum(func.abs(Posting.amount_fen)).filter(Posting.amount_fen < 0),
               func.sum(Posting.amount_fen).filter(Posting.amount_fen > 0))
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(Posting.order_line_id.in_(line_ids), LedgerAccount.kind.in_(INCOME_KINDS))
        .group_by(Posting.order_line_id, Posting.account_id, Posting.benefit_mode)
        .order_by(Posting.order_line_id, Posting.account_id, Posting.benefit_mode)).all()
    accounts = {a.id: a for a in db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.id.in_({r[1] for r in rows})))}
    households, orgs = _load_owners(accounts.values())
    parts = defaultdict(list)
    for line_id, account_id, mode, credited, debited in rows:
        account = accounts[account_id]
        credited, debited = int(credited or 0), int(debited or 0)
        parts[line_id].append({"account_id": account_id, "kind": account.kind, "benefit_mode": mode,
                               "recipient": _recipient(account, households, orgs), "attributed_fen": credited,
                               "refunded_fen": debited, "amount_fen": credited - debited})
    out = []
    for line in lines:
        entry = entries.get(line.id)
        out.append({"line_id": line.id, "product_id": line.product_id, "product_name": line.product_name,
                    "supplier_id": line.supplier_id, "amount_fen": line.amount_fen,
                    "attributed": entry is not None,
                    "scheme_id": entry.scheme_id if entry else None,
                    "scheme_version": entry.scheme_version if entry else None,
                    "memo": entry.memo if entry else "", "parts": parts.get(line.id, [])})
    return {"order_id": order.id, "number": order.number, "lines": out}


def household_income(household_id: int, year: int) -> dict:
    """A household's attributed income in a calendar year (Asia/Shanghai), by month and benefit mode.

    Income = -SUM(amount_fen) of its ``household_income`` account (credits are income, refund
    reversals reduce it). Returns {household_id, year, total_fen, operating_fen, asset_fen,
    months: [{month, operating_fen, asset_fen, total_fen} x 12], postings: [...]}.
    """
    start, end = year_bounds_utc(year)
    rows = db.session.execute(
        select(Posting, JournalEntry.kind, JournalEntry.order_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(LedgerAccount.kind == "household_income", LedgerAccount.household_id == household_id,
               Posting.created_at >= start, Posting.created_at < end)
        .order_by(Posting.created_at, Posting.id)).all()
    months = [{"month": m, "operating_fen": 0, "asset_fen": 0, "total_fen": 0} for m in range(1, 13)]
    postings = []
    for posting, entry_kind, order_id in rows:
        income = -posting.amount_fen
        month = months[local_date(posting.created_at).month - 1]
        if posting.benefit_mode in ("operating", "asset"):
            month[f"{posting.benefit_mode}_fen"] += income
        month["total_fen"] += income
        postings.append({"id": posting.id, "entry_id": posting.entry_id, "entry_kind": entry_kind,
                         "order_id": order_id, "order_line_id": posting.order_line_id,
                         "benefit_mode": posting.benefit_mode, "amount_fen": posting.amount_fen,
                         "income_fen": income, "created_at": posting.created_at})
    return {"household_id": household_id, "year": year,
            "total_fen": sum(m["total_fen"] for m in months),
            "operating_fen": sum(m["operating_fen"] for m in months),
            "asset_fen": sum(m["asset_fen"] for m in months), "months": months, "postings": postings}


def _order_in_scope(scope):
    """SQL: the entry's order was bought in, or has a line from, the region prefix ``scope``."""
    line_in_scope = exists().where(OrderLine.order_id == JournalEntry.order_id,
                                   in_scope_clause(OrderLine.origin_region_code, scope))
    buyer_in_scope = exists().where(Order.id == JournalEntry.order_id, in_scope_clause(Order.buyer_region_code, scope))
    return or_(buyer_in_scope, line_in_scope)


def entries_query(*, actor, args):
    """Entries (newest first) visible to a staff member, filtered by order, account and date range."""
    stmt = select(JournalEntry)
    if actor.region_scope:
        stmt = stmt.where(_order_in_scope(actor.region_scope))
    if args.get("order_id") is not None:
        stmt = stmt.where(JournalEntry.order_id == args["order_id"])
    if args.get("account") is not None:
        stmt = stmt.where(exists().where(Posting.entry_id == JournalEntry.id, Posting.account_id == args["account"]))
    if args.get("from_") is not None:
        stmt = stmt.where(JournalEntry.created_at >= day_start_utc(args["from_"]))
    if args.get("to") is not None:
        stmt = stmt.where(JournalEntry.created_at < day_end_utc(args["to"]))
    return stmt.order_by(JournalEntry.id.desc())


def _account_region(account):
    if account.household_id is not None:
        return household_services.get_household(account.household_id).village_code
    if account.organization_id is not None:
        return db.session.get(Organization, account.organization_id).region_code
    if account.order_id is not None:
        return db.session.get(Order, account.order_id).buyer_region_code
    return ""  # platform accounts: national staff only


def get_visible_account(actor, account_id) -> LedgerAccount:
    """The account if the staff member's region scope covers its owner (platform accounts: national
    scope only; clearing: the order's buyer region); else NotFound."""
    account = db.session.get(LedgerAccount, account_id)
    if account is None:
        raise NotFound("account not found")
    region = _account_region(account)
    if not may_see(actor, region):
        raise NotFound("account not found")
    return account


def account_postings_query(account_id):
    return select(Posting).where(Posting.account_id == account_id).order_by(Posting.id.desc())


def account_view(account) -> dict:
    households, orgs = _load_owners([account])
    return {"id": account.id, "kind": account.kind, "organization_id": account.organization_id,
            "household_id": account.household_id, "order_id": account.order_id,
            "owner": _recipient(account, households, orgs) if account.kind in INCOME_KINDS else None,
            "balance_fen": account_balance(account.id)}
