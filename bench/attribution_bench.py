"""Attribution throughput against a bare PostgreSQL COPY of the same posting rows, in one run.

    python bench/attribution_bench.py --lines 100000 \
        --database-url postgresql://postgres@127.0.0.1:5432/mk_bench

DROPS AND RECREATES every table of the given database. Builds N paid order lines (two per order,
over 4 products of 2 cooperatives with supply records, members and a village collective) with bulk
inserts, then times ``ledger.services.post_payments_success`` (the batch form that
``post_payment_success`` delegates to) over the payments in batches, one commit per batch, the
deferred balance trigger included. Then COPYs exactly the postings it wrote into a scratch table
with the same columns and indexes and prints postings/s for both and the ratio (goal >= 0.3).
"""
import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import func, insert, select, text  # noqa: E402

VILLAGE = "511781101001"


def _app(url):
    from marketplace import create_app

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def _bulk(db, model, rows, chunk=5000):
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model.__table__), rows[start:start + chunk])


def build(db, n_lines, households=200):
    """The catalog, people and N paid lines; returns the payment ids."""
    from marketplace.accounts.models import User
    from marketplace.catalog.models import AttributionScheme, Product, Sku
    from marketplace.geography.models import LEVEL_BY_LENGTH, Region
    from marketplace.geography.services import parent_of
    from marketplace.households.models import Household, Membership, SupplyRecord
    from marketplace.orders.models import Fulfilment, Order, OrderLine
    from marketplace.organizations.models import Organization
    from marketplace.organizations.uscc import uscc_check_char
    from marketplace.payments.models import Payment

    now = datetime.now(UTC)
    code, chain = VILLAGE, []
    while code:
        chain.append(code)
        code = parent_of(code)
    _bulk(db, Region, [{"code": c, "name": c, "level": LEVEL_BY_LENGTH[len(c)], "parent_code": parent_of(c)}
                       for c in reversed(chain)])

    def org(i, kind, region):
        body = f"9151178{i:010d}"
        return {"id": i, "kind": kind, "name": f"{kind}-{i}", "uscc": body + uscc_check_char(body),
                "region_code": region, "contact_name": "x", "contact_phone": "13800000000", "status": "verified",
                "created_at": now}
    _bulk(db, Organization, [org(1, "cooperative", VILLAGE[:6]), org(2, "cooperative", VILLAGE[:6]),
                             org(3, "collective", VILLAGE), org(4, "canteen", VILLAGE[:6])])
    _bulk(db, User, [{"id": 1, "email": "bench@example.cn", "password_hash": "x", "name": "bench",
                      "role": "buyer_purchaser", "organization_id": 4, "region_scope": "", "is_active": True,
                      "created_at": now}])
    products = [(p, 2 - p % 2) for p in range(1, 5)]  # products 1, 3 of cooperative 1; 2, 4 of 2
    _bulk(db, Product, [{"id": p, "supplier_id": s, "name": f"茶{p}", "category": "tea", "origin_region_code": VILLAGE,
                         "status": "active", "created_at": now, "description": "", "images": [], "storage": "",
                         "sales_count": 0} for p, s in products])
    _bulk(db, Sku, [{"id": p, "product_id": p, "name": "500g", "unit": "袋", "price_fen": 1000 + 337 * p,
                     "stock": 10**9, "min_order_qty": 1, "is_active": True, "created_at": now} for p, _ in products])
    _bulk(db, AttributionScheme, [{"product_id": p, "supplier_id": s, "version": 1, "households_by_supply_bp": 6000,
                                   "households_by_shares_bp": 2000, "collective_bp": 1000, "supplier_bp": 1000,
                                   "supply_lookback_days": 365, "created_at": now - timedelta(days=1)}
                                  for p, s in products[:3]])  # product 4: the built-in default scheme
    _bulk(db, Household, [{"id": h, "village_code": VILLAGE, "head_name_enc": "x", "head_name_masked": "王*",
                           "head_name_hash": f"{h:064d}",
                           "id_number_enc": "x", "id_number_hash": f"{h:064d}", "id_number_masked": "5117**",
                           "registry_no": f"JD{h}", "members": 3, "status": "registered_poor", "created_at": now,
                           "updated_at": now} for h in range(1, households + 1)])
    _bulk(db, Membership, [{"organization_id": 1 + h % 2, "household_id": h, "shares": 1 + h % 7, "created_at": now}
                           for h in range(1, households + 1, 3)])
    _bulk(db, SupplyRecord, [{"organization_id": s, "household_id": h, "product_id": p, "quantity": 1 + (h * p) % 50,
                              "unit": "kg", "amount_paid_fen": 100, "supplied_on": now.date() - timedelta(days=h % 300),
                              "created_at": now}
                             for p, s in products for h in range(p, households + 1, 4)])
    n_orders = (n_lines + 1) // 2
    orders, fulfilments, lines, payments = [], [], [], []
    for o in range(1, n_orders + 1):
        supplier = 1 + o % 2
        skus = [supplier, supplier + 2]  # both products of that supplier
        count = 2 if 2 * o <= n_lines else 1
        amounts = [(1000 + 337 * s) * (1 + (o + s) % 5) for s in skus[:count]]
        orders.append({"id": o, "number": f"PO-B-{o:09d}", "buyer_org_id": 4, "buyer_region_code": VILLAGE[:6],
                       "buyer_kind": "canteen", "placed_by_id": 1, "status": "placed",
                       "payment_method": "bank_transfer", "payment_status": "paid", "total_fen": sum(amounts),
                       "delivery": {}, "note": "",
                       "pay_by": now + timedelta(days=7), "placed_at": now, "paid_at": now})
        fulfilments.append({"id": o, "order_id": o, "supplier_id": supplier, "status": "pending"})
        for s, amount in zip(skus[:count], amounts, strict=True):
            lines.append({"order_id": o, "fulfilment_id": o, "sku_id": s, "product_id": s, "supplier_id": supplier,
                          "quantity": amount // (1000 + 337 * s), "unit_price_fen": 1000 + 337 * s,
                          "amount_fen": amount, "product_name": f"茶{s}", "sku_name": "500g", "unit": "袋",
                          "supplier_name": f"cooperative-{supplier}", "category": "tea",
                          "origin_region_code": VILLAGE, "refunded_quantity": 0, "refunded_fen": 0})
        payments.append({"id": o, "order_id": o, "method": "bank_transfer", "status": "succeeded",
                         "amount_fen": sum(amounts), "refunded_fen": 0, "currency": "cny",
                         "succeeded_at": now - timedelta(seconds=o % 3600), "created_at": now})
    for model, rows in ((Order, orders), (Fulfilment, fulfilments), (OrderLine, lines), (Payment, payments)):
        _bulk(db, model, rows)
    db.session.commit()
    return [p["id"] for p in payments]


def time_attribution(db, payment_ids, batch):
    from marketplace.ledger.services import post_payments_success
    from marketplace.payments.models import Payment

    started = time.perf_counter()
    for start in range(0, len(payment_ids), batch):
        chunk = payment_ids[start:start + batch]
        post_payments_success(db.session.scalars(select(Payment).where(Payment.id.in_(chunk))).all())
        db.session.commit()
        db.session.expunge_all()
    return time.perf_counter() - started


def time_copy(db):
    """COPY the postings just written into a scratch table with the same columns and indexes."""
    columns = "entry_id, account_id, amount_fen, order_line_id, benefit_mode, created_at"
    rows = db.session.execute(text(f"SELECT {columns} FROM postings ORDER BY id")).all()
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_postings_copy")
        cur.execute("CREATE TABLE bench_postings_copy (LIKE postings INCLUDING DEFAULTS INCLUDING INDEXES)")
        cur.execute("CREATE SEQUENCE IF NOT EXISTS bench_postings_copy_seq")
        cur.execute("ALTER TABLE bench_postings_copy ALTER COLUMN id SET DEFAULT nextval('bench_postings_copy_seq')")
        conn.commit()
        started = time.perf_counter()
        with cur.copy(f"COPY bench_postings_copy ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        elapsed = time.perf_counter() - started
        cur.execute("DROP TABLE bench_postings_copy")
        conn.commit()
    finally:
        conn.close()
    return len(rows), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000, help="payments per post_payments_success call/commit")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/mk_bench"))
    args = parser.parse_args()
    app = _app(args.database_url)
    from marketplace.extensions import db
    from marketplace.ledger.models import Posting
    from marketplace.ledger.services import check_ledger

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("the COPY baseline needs PostgreSQL")
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        payment_ids = build(db, args.lines)
        print(f"built {args.lines} paid lines ({len(payment_ids)} payments) in {time.perf_counter() - t0:.1f} s")
        elapsed = time_attribution(db, payment_ids, args.batch)
        postings = db.session.scalar(select(func.count()).select_from(Posting))
        copied, copy_elapsed = time_copy(db)
        breaches = check_ledger()
    ours, bare = postings / elapsed, copied / copy_elapsed
    print(f"attribution: {args.lines} lines -> {postings} postings in {elapsed:.2f} s = {ours:,.0f} postings/s "
          f"(batches of {args.batch} payments, one commit each)")
    print(f"COPY baseline: {copied} rows in {copy_elapsed:.2f} s = {bare:,.0f} rows/s")
    print(f"ratio: {ours / bare:.2f}x COPY (goal >= 0.30)")
    print("ledger check:", "ok" if not breaches else f"{len(breaches)} breaches, first: {breaches[0]}")
    return 0 if not breaches else 1


if __name__ == "__main__":
    sys.exit(main())
