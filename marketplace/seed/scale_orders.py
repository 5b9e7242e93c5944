"""The order half of `flask seed scale`: paid orders with snapshots, payments, refunds and the ledger.

Each order: 1..k lines (mean ``lines_per_order``), products drawn Zipf-skewed (s = 1.1), buyers
Zipf-skewed (s = 0.8), a payment time in the last 365 days weighted by a seasonal month
profile. The order is paid by bank transfer; finished ones are completed and accepted. About
0.5% of orders have their first line refunded in full.

Ledger, exactly as ``ledger.services`` posts it: an entry ``payment`` (platform cash debit,
the order's clearing credit) and per line an entry ``attribution`` (clearing debit; the line
split by the product's scheme with ``split_by_scheme``, households by ``largest_remainder`` over
supply quantities or shares, ties to the lowest account id; an empty bucket falls to the supplier
with a memo). A refunded line gets ``refund_attribution`` (every recipient debited what it got)
and ``refund`` (clearing debit, refunds payable credit). Every entry sums to zero.
"""
import itertools
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from marketplace.catalog.models import Product
from marketplace.core.clock import LOCAL_TZ
from marketplace.extensions import db
from marketplace.ledger.attribution_maths import largest_remainder, split_by_scheme
from marketplace.ledger.services import accounts as acc
from marketplace.orders.models import OrderNumberCounter

#: Relative order volume by month (Jan: Spring Festival purchases; Sep: Mid-Autumn; Dec: year-end).
MONTH_WEIGHTS = (1.6, 1.3, 0.8, 1.0, 1.0, 0.8, 0.7, 0.8, 1.3, 1.1, 1.2, 1.4)
QUANTITIES = ((1, 10), (2, 12), (5, 18), (10, 22), (20, 16), (50, 12), (100, 7), (200, 3))
QUANTITY_VALUES = [q for q, _ in QUANTITIES]
QUANTITY_CUM = list(itertools.accumulate(w for _, w in QUANTITIES))
REFUND_RATE = 0.005
REFUND_REASON = "到货质量问题，整行退款（批量演示数据）"
COLUMNS = {
    "orders": ("id", "number", "buyer_org_id", "buyer_region_code", "buyer_kind", "placed_by_id", "status",
               "payment_method", "payment_status", "total_fen", "delivery", "note", "pay_by", "placed_at", "paid_at",
               "completed_at"),
    "fulfilments": ("id", "order_id", "supplier_id", "status", "carrier", "tracking_no", "confirmed_at", "shipped_at",
                    "delivered_at", "accepted_at"),
    "order_lines": ("id", "order_id", "fulfilment_id", "sku_id", "product_id", "supplier_id", "quantity",
                    "unit_price_fen", "amount_fen", "product_name", "sku_name", "unit", "supplier_name", "category",
                    "origin_region_code", "certificate_no", "refunded_quantity", "refunded_fen"),
    "payments": ("id", "order_id", "method", "status", "amount_fen", "refunded_fen", "currency", "bank_reference",
                 "received_on", "succeeded_at", "created_at"),
    "refunds": ("id", "payment_id", "order_id", "amount_fen", "reason", "status", "created_at"),
    "refund_lines": ("id", "refund_id", "order_line_id", "quantity", "amount_fen"),
    "ledger_accounts": ("id", "kind", "organization_id", "household_id", "order_id", "owner_key", "created_at"),
    "journal_entries": ("id", "kind", "order_id", "payment_id", "refund_id", "order_line_id", "scheme_id",
                        "scheme_version", "idempotency_key", "memo", "created_at"),
    "postings": ("id", "entry_id", "account_id", "amount_fen", "order_line_id", "benefit_mode", "created_at"),
}


def zipf_cumulative(n, s):
    return list(itertools.accumulate(1 / (rank ** s) for rank in range(1, n + 1)))


def line_counts(rng, n, mean):
    """``n`` line counts in 1..cap with the given mean (1 + binomial)."""
    cap = max(5, math.ceil(2 * mean - 1))
    p = min(1.0, (mean - 1) / (cap - 1))
    pmf = [math.comb(cap - 1, k) * p ** k * (1 - p) ** (cap - 1 - k) for k in range(cap)]
    return rng.choices(range(1, cap + 1), weights=pmf, k=n)


class OrderGenerator:
    def __init__(self, writer, world, rng, lines_per_order):
        self.w, self.world, self.rng, self.mean = writer, world, rng, lines_per_order
        self.now = world.now
        self.products = list(world.products)
        rng.shuffle(self.products)
        self.product_cum = zipf_cumulative(len(self.products), 1.1)
        self.buyers = list(world.buyers)
        rng.shuffle(self.buyers)
        self.buyer_cum = zipf_cumulative(len(self.buyers), 0.8)
        self.splits = {}
        self.sold = {}

    # --- set-up: accounts, times, order numbers ---------------------------------------------

    def _accounts(self):
        households = sorted({hid for p in self.products for hid, _ in p["supply"]}
                            | {hid for s in self.world.suppliers for hid, _ in s["members"]})
        specs = ([acc.household(h) for h in households] + [acc.supplier(s["id"]) for s in self.world.suppliers]
                 + [acc.collective(c) for c in sorted(set(self.world.collectives.values()))]
                 + [acc.platform_cash(), acc.refunds_payable()])
        ids = acc.ensure_accounts(specs)
        self.household_account = {h: ids[acc.key(acc.household(h))] for h in households}
        self.supplier_account = {s["id"]: ids[acc.key(acc.supplier(s["id"]))] for s in self.world.suppliers}
        self.collective_account = {c: ids[acc.key(acc.collective(c))] for c in set(self.world.collectives.values())}
        self.cash = ids[acc.key(acc.platform_cash())]
        self.payable = ids[acc.key(acc.refunds_payable())]
        # ensure_accounts used the sequence: our own ids start after whatever it made
        self.w._next.pop("ledger_accounts", None)

    def _times(self, n):
        """``n`` payment times (epoch seconds, ascending) over the last 365 days, seasonal."""
        end = int(self.now.timestamp()) - 3600
        days = [datetime.fromtimestamp(end - d * 86_400, UTC).astimezone(LOCAL_TZ) for d in range(365)]
        cum = list(itertools.accumulate(MONTH_WEIGHTS[day.month - 1] for day in days))
        picks = self.rng.choices(range(365), cum_weights=cum, k=n)
        return sorted(end - d * 86_400 - self.rng.randrange(0, 10 * 3600) for d in picks)

    def _reserve_numbers(self, times):
        """Take a block of the per-year order number counter for each local year used."""
        per_year = {}
        for t in times:
            year = datetime.fromtimestamp(t, LOCAL_TZ).year
            per_year[year] = per_year.get(year, 0) + 1
        self.next_number = {}
        for year, count in sorted(per_year.items()):
            last = db.session.scalar(select(OrderNumberCounter.last_value).where(OrderNumberCounter.year == year)
                                     .with_for_update())
            if last is None:
                db.session.add(OrderNumberCounter(year=year, last_value=count))
                last = 0
            else:
                db.session.execute(update(OrderNumberCounter).where(OrderNumberCounter.year == year)
                                   .values(last_value=last + count))
            self.next_number[year] = last + 1
        db.session.flush()

    # --- one line's attribution (cached: the same product and amount split the same way) -----

    def _split(self, product, amount):
        key = (product["id"], amount)
        found = self.splits.get(key)
        if found is not None:
            return found
        supplier = product["supplier"]
        scheme_bp = product["scheme"][2]
        buckets = split_by_scheme(amount, {"households_by_supply": scheme_bp[0], "households_by_shares": scheme_bp[1],
                                           "collective": scheme_bp[2], "supplier": scheme_bp[3]})
        parts, memo = [], []
        to_supplier = buckets["supplier"]
        for bucket, weights, mode in (("households_by_supply", product["supply"], "operating"),
                                      ("households_by_shares", supplier["members"], "asset")):
            if not buckets[bucket]:
                continue
            if weights:
                accounts = [self.household_account[h] for h, _ in weights]
                for account, part in zip(accounts, largest_remainder(buckets[bucket], [w for _, w in weights],
                                                                     accounts), strict=True):
                    if part:
                        parts.append((account, part, mode))
            else:
                to_supplier += buckets[bucket]
                memo.append(f"{bucket} had no recipients: {buckets[bucket]} fen fell to supplier")
        if buckets["collective"]:
            if product["collective"] is not None:
                parts.append((self.collective_account[product["collective"]], buckets["collective"], "collective"))
            else:
                to_supplier += buckets["collective"]
                memo.append(f"collective had no recipient (no collective organization at {product['origin']}): "
                            f"{buckets['collective']} fen fell to supplier")
        if to_supplier:
            parts.append((self.supplier_account[supplier["id"]], to_supplier, "supplier"))
        found = self.splits[key] = (parts, "; ".join(memo))
        return found

    # --- the batches --------------------------------------------------------------------------

    def run(self, n, *, batch, progress):
        self._accounts()
        times = self._times(n)
        self._reserve_numbers(times)
        db.session.commit()
        for start in range(0, n, batch):
            if self.w.is_postgres:  # benchmark data: a crash loses the batch, never its consistency
                db.session.execute(text("SET LOCAL synchronous_commit = off"))
            self._batch(times[start:start + batch])
            db.session.commit()
            progress(f"orders {min(start + batch, n)}/{n}")
        for product_id, quantity in sorted(self.sold.items()):
            db.session.execute(update(Product).where(Product.id == product_id)
                               .values(sales_count=Product.sales_count + quantity))

    def _batch(self, times):
        rng, w = self.rng, self.w
        counts = line_counts(rng, len(times), self.mean)
        picks = iter(rng.choices(self.products, cum_weights=self.product_cum, k=sum(counts)))
        buyers = rng.choices(self.buyers, cum_weights=self.buyer_cum, k=len(times))
        order_ids = iter(w.next_ids("orders", len(times)))
        payment_ids = iter(w.next_ids("payments", len(times)))
        clearing_ids = iter(w.next_ids("ledger_accounts", len(times)))
        rows = {name: [] for name in COLUMNS}
        for t, k, buyer in zip(times, counts, buyers, strict=True):
            self._order(rows, t, [next(picks) for _ in range(k)], buyer, next(order_ids), next(payment_ids),
                        next(clearing_ids))
        for name, columns in COLUMNS.items():
            w.write(name, columns, rows[name])

    def _order(self, rows, t, products, buyer, order_id, payment_id, clearing_id):
        rng, w = self.rng, self.w
        paid_at = datetime.fromtimestamp(t, UTC)
        local = paid_at.astimezone(LOCAL_TZ)
        placed_at = paid_at - timedelta(seconds=rng.randrange(3600, 3 * 86_400))
        done = paid_at + timedelta(days=5) < self.now
        number = self.next_number[local.year]
        self.next_number[local.year] = number + 1
        fulfilments, lines = {}, []
        for product in products:
            supplier_id = product["supplier"]["id"]
            if supplier_id not in fulfilments:
                fulfilments[supplier_id] = w.next_ids("fulfilments", 1)[0]
            sku_id, sku_name, unit, price = rng.choice(product["skus"])
            quantity = rng.choices(QUANTITY_VALUES, cum_weights=QUANTITY_CUM)[0]
            line_id = w.next_ids("order_lines", 1)[0]
            lines.append([line_id, order_id, fulfilments[supplier_id], sku_id, product["id"], supplier_id, quantity,
                          price, quantity * price, product["name"], sku_name, unit, product["supplier"]["name"],
                          product["category"], product["origin"], product["certificate_no"], 0, 0])
            self.sold[product["id"]] = self.sold.get(product["id"], 0) + quantity
        total = sum(line[8] for line in lines)
        refund_line = lines[0] if rng.random() < REFUND_RATE else None
        refunded = refund_line[8] if refund_line else 0
        payment_status = "paid" if not refunded else ("refunded" if refunded == total else "partially_refunded")
        rows["orders"].append((order_id, f"PO-{local.year}-{number:06d}", buyer["id"], buyer["region"], buyer["kind"],
                               buyer["user_id"], "completed" if done else "placed", "bank_transfer", payment_status,
                               total, {"address": f"{buyer['name']}仓库", "contact_name": "采购员",
                                       "contact_phone": "0818-0000000",
                                       "requested_date": (local.date() + timedelta(days=7)).isoformat()},
                               "", placed_at + timedelta(days=7), placed_at, paid_at,
                               paid_at + timedelta(days=5) if done else None))
        for supplier_id, fulfilment_id in fulfilments.items():
            rows["fulfilments"].append((fulfilment_id, order_id, supplier_id, "accepted" if done else "confirmed",
                                        "中国邮政" if done else None, f"EMS{fulfilment_id:012d}" if done else None,
                                        paid_at, paid_at + timedelta(days=1) if done else None,
                                        paid_at + timedelta(days=3) if done else None,
                                        paid_at + timedelta(days=5) if done else None))
        rows["payments"].append((payment_id, order_id, "bank_transfer", "succeeded" if not refunded else payment_status,
                                 total, refunded, "cny", f"SCALE-{order_id}", local.date(), paid_at, placed_at))
        rows["ledger_accounts"].append((clearing_id, "order_clearing", None, None, order_id, f"order:{order_id}",
                                        paid_at))
        self._entry(rows, "payment", f"pay:{payment_id}", order_id, payment_id, paid_at,
                    [(self.cash, total, None, None), (clearing_id, -total, None, None)])
        for line in lines:
            product = next(p for p in products if p["id"] == line[4])
            parts, memo = self._split(product, line[8])
            scheme_id, version, _ = product["scheme"]
            postings = [(clearing_id, line[8], line[0], None)] + [(a, -part, line[0], m) for a, part, m in parts]
            self._entry(rows, "attribution", f"attr:{payment_id}:{line[0]}", order_id, payment_id, paid_at, postings,
                        line_id=line[0], scheme=(scheme_id, version), memo=memo)
        if refund_line:
            refund_line[16], refund_line[17] = refund_line[6], refund_line[8]
            self._refund(rows, refund_line, payment_id, clearing_id, min(paid_at + timedelta(days=6), self.now))
        rows["order_lines"].extend(tuple(line) for line in lines)

    def _refund(self, rows, line, payment_id, clearing_id, at):
        refund_id = self.w.next_ids("refunds", 1)[0]
        refund_line_id = self.w.next_ids("refund_lines", 1)[0]
        order_id, amount = line[1], line[8]
        rows["refunds"].append((refund_id, payment_id, order_id, amount, REFUND_REASON, "pending", at))
        rows["refund_lines"].append((refund_line_id, refund_id, line[0], line[6], amount))
        product = next(p for p in self.products if p["id"] == line[4])
        parts, _ = self._split(product, amount)
        postings = [(a, part, line[0], m) for a, part, m in parts] + [(clearing_id, -amount, line[0], None)]
        self._entry(rows, "refund_attribution", f"refund:{refund_id}:{refund_line_id}", order_id, payment_id, at,
                    postings, refund_id=refund_id, line_id=line[0])
        self._entry(rows, "refund", f"refund:{refund_id}", order_id, payment_id, at,
                    [(clearing_id, amount, None, None), (self.payable, -amount, None, None)], refund_id=refund_id)

    def _entry(self, rows, kind, key, order_id, payment_id, at, postings, *, line_id=None, scheme=(None, None),
               memo="", refund_id=None):
        if len(postings) < 2 or sum(p[1] for p in postings) != 0:
            raise AssertionError(f"scale entry {key} is unbalanced")
        entry_id = self.w.next_ids("journal_entries", 1)[0]
        rows["journal_entries"].append((entry_id, kind, order_id, payment_id, refund_id, line_id, scheme[0], scheme[1],
                                        key, memo, at))
        posting_ids = self.w.next_ids("postings", len(postings))
        rows["postings"].extend((pid, entry_id, account, amount, posting_line, mode, at)
                                for pid, (account, amount, posting_line, mode) in zip(posting_ids, postings,
                                                                                        strict=True))
