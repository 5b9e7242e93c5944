"""Posting a successful payment: cash in, order clearing, and the attribution of every line.

Attribution of one order line (DESIGN.md "The ledger and attribution"):

1. The scheme is the one current for the line's product and supplier at the payment's
   ``succeeded_at`` (``catalog.services.current_scheme_for``); the line amount is split into the
   four buckets with ``split_by_scheme`` (largest remainder, exact).
2. ``households_by_supply``: largest remainder over the households' supply quantities of that
   product for that supplier with ``paid_date - supply_lookback_days <= supplied_on <= paid_date``
   (``paid_date`` is the Asia/Shanghai date of the payment); ties go to the lowest account id.
   Mode ``operating`` (经营性).
3. ``households_by_shares``: largest remainder over the members' shares in the supplier; mode
   ``asset`` (资产性).
4. ``collective``: the verified collective organization whose ``region_code`` equals the line's
   origin village code (a pending registration receives nothing: anyone may register one; there
   is one per village, ``organizations.services``); the lowest id if ever several. Mode ``collective``.
5. ``supplier`` plus every bucket that had no recipient (the entry's memo says which and why).

Household accounts are created in household-id order before the split, so account ids exist for
the tie-break. Postings go in with bulk inserts; a batch of payments shares its look-ups.
"""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from marketplace.catalog import services as catalog_services
from marketplace.core.clock import local_date
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.households import services as household_services
from marketplace.ledger.attribution_maths import largest_remainder, split_by_scheme
from marketplace.ledger.services import accounts as acc
from marketplace.ledger.services.journal import EntryDraft, existing_keys, write_entries
from marketplace.orders.models import Order, OrderLine
from marketplace.organizations.models import Organization


def payment_key(payment_id):
    return f"pay:{payment_id}"


def attribution_key(payment_id, line_id):
    return f"attr:{payment_id}:{line_id}"


class _Lookups:
    """Per-batch caches of the scheme, weight and collective look-ups (each is one query)."""

    def __init__(self):
        self.supply, self.shares, self.collectives, self.schemes = {}, {}, {}, {}

    def scheme(self, product_id, supplier_id, at):
        key = (product_id, supplier_id, at)
        if key not in self.schemes:
            self.schemes[key] = catalog_services.current_scheme_for(product_id=product_id, supplier_id=supplier_id,
                                                                    at=at)
        return self.schemes[key]

    def preload_schemes(self, wanted):
        """``wanted``: {(product_id, supplier_id): [at, ...]}. When the scheme current at the earliest
        and at the latest moment is the same version, no other version was created in between
        (versions only ever follow each other in time), so every moment gets that one: two calls
        per product instead of one per payment."""
        for (product_id, supplier_id), moments in wanted.items():
            first, last = min(moments), max(moments)
            early = self.scheme(product_id, supplier_id, first)
            late = self.scheme(product_id, supplier_id, last)
            if (early.id, early.version) == (late.id, late.version):
                for at in moments:
                    self.schemes.setdefault((product_id, supplier_id, at), early)

    def supply_weights(self, product_id, supplier_id, paid_date, lookback_days):
        key = (product_id, supplier_id, paid_date, lookback_days)
        if key not in self.supply:
            self.supply[key] = household_services.supply_weights(
                product_id=product_id, supplier_id=supplier_id, since=paid_date - timedelta(days=lookback_days),
                until=paid_date)
        return self.supply[key]

    def preload_supply(self, lines_at):
        """Every supply window the batch's lines may need, one query per (product, supplier)."""
        keys = set()
        for line, at in lines_at:
            scheme = self.scheme(line.product_id, line.supplier_id, at)
            if scheme.households_by_supply_bp:
                keys.add((line.product_id, line.supplier_id, local_date(at),
                          scheme.supply_lookback_days))
        windows = {k: (k[0], k[1], k[2] - timedelta(days=k[3]), k[2]) for k in keys}
        found = household_services.supply_weights_many(windows.values())
        for key, window in windows.items():
            self.supply.setdefault(key, found[window])

    def share_weights(self, supplier_id):
        if supplier_id not in self.shares:
            self.shares[supplier_id] = household_services.share_weights(supplier_id=supplier_id)
        return self.shares[supplier_id]

    def collective(self, region_code):
        if region_code not in self.collectives:
            self.collectives[region_code] = db.session.scalar(
                select(Organization.id).where(Organization.kind == "collective",
                                              Organization.region_code == region_code,
                                              Organization.status == "verified")
                .order_by(Organization.id).limit(1))
        return self.collectives[region_code]


def _plan_line(line, at, lookups):
    """Gather what one line needs: scheme, bucket amounts, weights, collective; no account ids yet."""
    scheme = lookups.scheme(line.product_id, line.supplier_id, at)
    shares_bp = {"households_by_supply": scheme.households_by_supply_bp,
                 "households_by_shares": scheme.households_by_shares_bp,
                 "collective": scheme.collective_bp, "supplier": scheme.supplier_bp}
    buckets = split_by_scheme(line.amount_fen, shares_bp)
    paid_date = local_date(at)
    plan = {"line": line, "scheme": scheme, "buckets": buckets, "supply": [], "shares": [], "collective": None}
    if buckets["households_by_supply"]:
        plan["supply"] = lookups.supply_weights(line.product_id, line.supplier_id, paid_date,
                                                scheme.supply_lookback_days)
    if buckets["households_by_shares"]:
        plan["shares"] = lookups.share_weights(line.supplier_id)
    if buckets["collective"]:
        plan["collective"] = lookups.collective(line.origin_region_code)
    return plan


def _specs_for(plans):
    """Account specs in creation order: households by id first (ids for the tie-break), then the rest."""
    households = sorted({hh for p in plans for hh, _ in p["supply"] + p["shares"]})
    specs = [acc.household(hh) for hh in households]
    for p in plans:
        specs.append(acc.supplier(p["line"].supplier_id))
        if p["collective"] is not None:
            specs.append(acc.collective(p["collective"]))
    return specs


def _split_households(draft, ids, amount, weights, mode, line_id):
    account_ids = [ids[acc.key(acc.household(hh))] for hh, _ in weights]
    parts = largest_remainder(amount, [w for _, w in weights], account_ids)
    for account_id, part in zip(account_ids, parts, strict=True):
        draft.post(account_id, -part, line_id, mode)


def _line_entry(payment, plan, ids, clearing_id):
    line, scheme, buckets = plan["line"], plan["scheme"], plan["buckets"]
    draft = EntryDraft(kind="attribution", idempotency_key=attribution_key(payment.id, line.id),
                       order_id=payment.order_id, payment_id=payment.id, order_line_id=line.id,
                       scheme_id=scheme.id, scheme_version=scheme.version)
    draft.post(clearing_id, line.amount_fen, line.id)
    to_supplier = buckets["supplier"]
    memo = []
    for bucket, weights, mode in (("households_by_supply", plan["supply"], "operating"),
                                  ("households_by_shares", plan["shares"], "asset")):
        if not buckets[bucket]:
            continue
        if weights:
            _split_households(draft, ids, buckets[bucket], weights, mode, line.id)
        else:
            to_supplier += buckets[bucket]
            memo.append(f"{bucket} had no recipients: {buckets[bucket]} fen fell to supplier")
    if buckets["collective"]:
        if plan["collective"] is not None:
            draft.post(ids[acc.key(acc.collective(plan["collective"]))], -buckets["collective"], line.id,
                       "collective")
        else:
            to_supplier += buckets["collective"]
            memo.append(f"collective had no recipient (no collective organization at {line.origin_region_code}):"
                        f" {buckets['collective']} fen fell to supplier")
    draft.post(ids[acc.key(acc.supplier(line.supplier_id))], -to_supplier, line.id, "supplier")
    draft.memo = "; ".join(memo)
    return draft


def post_payments_success(payments) -> int:
    """Post a batch of succeeded payments (see :func:`post_payment_success`); returns how many were posted.

    Payments already in the journal are skipped. Look-ups are shared across the batch. The entries
    carry the business date: the order's ``paid_at`` (the value date: ``received_on`` for a transfer,
    the success for Stripe), so monthly income shows the month the money moved.
    """
    db.session.flush()
    payments = list({p.id: p for p in payments}.values())
    done = existing_keys(payment_key(p.id) for p in payments)
    payments = [p for p in payments if payment_key(p.id) not in done]
    if not payments:
        return 0
    lines_by_order = defaultdict(list)
    order_ids = sorted({p.order_id for p in payments})
    for start in range(0, len(order_ids), 500):
        for line in db.session.scalars(select(OrderLine).where(OrderLine.order_id.in_(order_ids[start:start + 500]))
                                       .order_by(OrderLine.order_id, OrderLine.id)):
            lines_by_order[line.order_id].append(line)

    lookups = _Lookups()
    now = utcnow()
    paid_at = {p.id: p.succeeded_at or now for p in payments}
    dated = _value_dates(order_ids, payments, paid_at)
    moments = defaultdict(set)
    for p in payments:
        for line in lines_by_order[p.order_id]:
            moments[(line.product_id, line.supplier_id)].add(paid_at[p.id])
    lookups.preload_schemes(moments)
    lookups.preload_supply([(line, paid_at[p.id]) for p in payments for line in lines_by_order[p.order_id]])
    plans = {p.id: [_plan_line(line, paid_at[p.id], lookups) for line in lines_by_order[p.order_id]]
             for p in payments}
    all_plans = [plan for ps in plans.values() for plan in ps]
    specs = _specs_for(all_plans) + [acc.platform_cash()] + [acc.clearing(p.order_id) for p in payments]
    ids = acc.ensure_accounts(specs)

    cash_id = ids[acc.key(acc.platform_cash())]
    drafts = []
    for p in payments:
        clearing_id = ids[acc.key(acc.clearing(p.order_id))]
        cash = EntryDraft(kind="payment", idempotency_key=payment_key(p.id), order_id=p.order_id, payment_id=p.id)
        cash.post(cash_id, p.amount_fen)
        cash.post(clearing_id, -p.amount_fen)
        entries = [cash] + [_line_entry(p, plan, ids, clearing_id) for plan in plans[p.id]]
        for entry in entries:
            entry.created_at = dated[p.id]
        drafts.extend(entries)
    written = write_entries(drafts)
    return sum(1 for p in payments if payment_key(p.id) in written)


def _value_dates(order_ids, payments, paid_at):
    """Per payment, its order's ``paid_at`` (the business date), else the payment's success."""
    value = {}
    for start in range(0, len(order_ids), 500):
        value.update(db.session.execute(select(Order.id, Order.paid_at)
                                        .where(Order.id.in_(order_ids[start:start + 500]))).all())
    return {p.id: value.get(p.order_id) or paid_at[p.id] for p in payments}


def post_payment_success(payment):
    """Post cash-in, order clearing and the attribution of every line of the payment's order.

    Idempotent: if "pay:<payment id>" is already in the journal nothing is posted (also when a
    concurrent transaction posted it first). Entries: "payment" (platform_cash debit, the order's
    clearing credit) and one "attribution" per line (clearing debit, recipients credited, scheme
    id/version and a memo of any bucket that fell to the supplier). Flushes, never commits.
    """
    return post_payments_success([payment]) == 1
