"""The order half of `flask seed scale`: paid orders with snapshots, payments, refunds and the ledger.

Each order: 1..k lines (mean ``lines_per_order``), products drawn Zipf-skewed (s = 1.1), buyers
Zipf-skewed (s = 0.8), a payment time in the last 365 days weighted by a seasonal month
profile. The order is paid by bank transfer; finished ones are completed and accepted. About
0.5% of orders have their first line refunded in full.

Ledger: posted by the ledger itself, batch by batch, with ``post_payments_success`` (payment and
attribution entries, dated at each order's ``paid_at``) and ``post_refund`` for the refunded
lines: the scale data follows the posting rules by construction, it does not restate them.
"""
import itertools
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import selectinload

from marketplace.catalog.models import Product
from marketplace.core.clock import LOCAL_TZ
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.models import OrderNumberCounter
from marketplace.payments.models import Payment, Refund

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
}
#: rows per IN (...) when the batch's payments and refunds are read back for posting
READ_CHUNK = 500


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
        self.sold = {}

    # --- set-up: times, order numbers --------------------------------------------------------

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

    # --- the batches --------------------------------------------------------------------------

    def run(self, n, *, batch, progress):
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
        payment_ids = w.next_ids("payments", len(times))
        rows = {name: [] for name in COLUMNS}
        for t, k, buyer, payment_id in zip(times, counts, buyers, payment_ids, strict=True):
            self._order(rows, t, [next(picks) for _ in range(k)], buyer, next(order_ids), payment_id)
        for name, columns in COLUMNS.items():
            w.write(name, columns, rows[name])
        self._post(list(payment_ids), [r[0] for r in rows["refunds"]])

    def _post(self, payment_ids, refund_ids):
        """The ledger posts the batch: payments (attribution included) first, then the refunds."""
        payments = [p for start in range(0, len(payment_ids), READ_CHUNK) for p in db.session.scalars(
            select(Payment).where(Payment.id.in_(payment_ids[start:start + READ_CHUNK])))]
        ledger.post_payments_success(payments)
        for start in range(0, len(refund_ids), READ_CHUNK):
            for refund in db.session.scalars(select(Refund).where(Refund.id.in_(refund_ids[start:start + READ_CHUNK]))
                                             .options(selectinload(Refund.lines)).order_by(Refund.id)):
                ledger.post_refund(refund)

    def _order(self, rows, t, products, buyer, order_id, payment_id):
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
        if refund_line:
            refund_line[16], refund_line[17] = refund_line[6], refund_line[8]
            self._refund(rows, refund_line, payment_id, min(paid_at + timedelta(days=6), self.now))
        rows["order_lines"].extend(tuple(line) for line in lines)

    def _refund(self, rows, line, payment_id, at):
        refund_id = self.w.next_ids("refunds", 1)[0]
        refund_line_id = self.w.next_ids("refund_lines", 1)[0]
        order_id, amount = line[1], line[8]
        rows["refunds"].append((refund_id, payment_id, order_id, amount, REFUND_REASON, "pending", at))
        rows["refund_lines"].append((refund_line_id, refund_id, line[0], line[6], amount))
