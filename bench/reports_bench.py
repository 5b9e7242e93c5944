"""Sales report through the app against the raw SQL GROUP BY on the same PostgreSQL, plus export memory.

    python bench/reports_bench.py --lines 200000 \
        --database-url postgresql://postgres@127.0.0.1:5432/mk_reports_bench

DROPS AND RECREATES every table of the given database (created if missing). Loads N order lines
(4 per order, 90% of orders paid over 2023-2024 with some refunds, 20 counties x 10 villages,
N/50 products) with PostgreSQL COPY, ANALYZEs, then:

1. times GET /api/v1/reports/sales?group_by=county,month&year=2024 through the app's test client
   and the hand-written SQL GROUP BY of the same figures, best and median of --repeat runs each,
   and prints the ratio (goal <= 1.5x);
2. measures the peak RSS growth (VmHWM after resetting it through /proc/self/clear_refs) while
   streaming a CSV export: the real /reports/sales?group_by=product,day&format=csv (one row per
   product and day: about N rows), and --export-rows synthetic rows (default 1,000,000) pushed
   through the same path (server-side cursor -> csv_stream -> streamed Flask response) by a
   bench-only route (goal: growth < 50 MB).
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from marketplace.core.pgdb import copy_rows, ensure_database  # noqa: E402

PROVINCE, CITY = "51", "5117"
COUNTIES, VILLAGES_PER_COUNTY = 20, 10
SUPPLIERS, BUYERS = 50, 200
LINES_PER_ORDER = 4
CATEGORIES = ("tea", "konjac", "fungi", "rice", "honey", "fruit")
BUYER_KINDS = ("canteen", "school", "hospital", "agency")

RAW_SQL = """
SELECT substr(l.origin_region_code, 1, 6) AS county,
       to_char(date_trunc('month', o.paid_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM') AS month,
       count(DISTINCT l.order_id), sum(l.quantity), sum(l.refunded_quantity), sum(l.amount_fen),
       sum(l.refunded_fen), sum(l.amount_fen - l.refunded_fen)
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.payment_status IN ('paid', 'partially_refunded', 'refunded')
  AND o.paid_at >= %s AND o.paid_at < %s
GROUP BY 1, 2 ORDER BY 1, 2
"""


def make_app(url):
    from marketplace import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://" + url[len("postgresql://"):],
                       "TESTING": False, "LOG_LEVEL": "WARNING"})


def counties():
    return [f"{CITY}{i + 1:02d}" for i in range(COUNTIES)]


def villages():
    return [f"{c}101{j + 1:03d}" for c in counties() for j in range(VILLAGES_PER_COUNTY)]


def load(app, url, n_lines, seed=7):
    """Schema, a catalog and N order lines; returns the admin user id."""
    from marketplace.accounts.services import new_user
    from marketplace.extensions import db

    rnd = random.Random(seed)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        admin = new_user(email="bench-admin@example.cn", password="bench-password-1", name="bench", role="admin")
        db.session.commit()
        admin_id = admin.id
    n_products = max(100, n_lines // 50)
    n_orders = n_lines // LINES_PER_ORDER
    vills = villages()
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        regions = [(PROVINCE, "四川省", "province", None), (CITY, "达州市", "city", PROVINCE)]
        for i, c in enumerate(counties()):
            regions.append((c, f"县{i + 1}", "county", CITY))
            regions.append((f"{c}101", f"镇{i + 1}", "township", c))
        regions += [(v, f"村{v[-5:]}", "village", v[:9]) for v in vills]
        copy_rows(conn, "regions", ("code", "name", "level", "parent_code", "poverty_county", "poverty_village"),
                  ((c, n, lv, p, "f", "f") for c, n, lv, p in regions))
        orgs = [(i, "cooperative", f"合作社{i}", f"S{i:017d}", counties()[i % COUNTIES])
                for i in range(1, SUPPLIERS + 1)]
        orgs += [(SUPPLIERS + i, BUYER_KINDS[i % 4], f"食堂{i}", f"B{i:017d}", counties()[i % COUNTIES])
                 for i in range(1, BUYERS + 1)]
        copy_rows(conn, "organizations", ("id", "kind", "name", "uscc", "region_code", "contact_name", "contact_phone",
                                          "status", "created_at"),
                  ((i, k, n, u, r, "联系人", "13800000000", "verified", "2023-01-01 00:00:00+00")
                   for i, k, n, u, r in orgs))
        products = [(p, (p - 1) % SUPPLIERS + 1, CATEGORIES[p % len(CATEGORIES)], vills[p % len(vills)])
                    for p in range(1, n_products + 1)]
        copy_rows(conn, "products", ("id", "supplier_id", "name", "category", "origin_region_code", "description",
                                     "images", "storage", "status", "sales_count", "created_at"),
                  ((p, s, f"产品{p}", cat, v, "", "[]", "", "active", 0, "2023-01-01 00:00:00+00")
                   for p, s, cat, v in products))
        copy_rows(conn, "skus", ("id", "product_id", "name", "unit", "price_fen", "stock", "min_order_qty", "is_active",
                                 "created_at"),
                  ((p, p, "箱", "箱", 1000 + p % 50 * 100, 1000, 1, "t", "2023-01-01 00:00:00+00")
                   for p, *_ in products))
        per_supplier = n_products // SUPPLIERS
        start = datetime(2023, 1, 1, tzinfo=UTC)
        span = int(timedelta(days=730).total_seconds())
        orders, lines = [], []
        for o in range(1, n_orders + 1):
            supplier = rnd.randrange(SUPPLIERS) + 1
            buyer = SUPPLIERS + rnd.randrange(BUYERS) + 1
            paid = rnd.random() < 0.9
            refunded = paid and rnd.random() < 0.05
            placed = start + timedelta(seconds=rnd.randrange(span))
            total = 0
            for _ in range(LINES_PER_ORDER):
                p = supplier + SUPPLIERS * rnd.randrange(per_supplier)
                qty = rnd.randrange(1, 20)
                price = 1000 + p % 50 * 100
                r_qty = rnd.randrange(0, qty + 1) if refunded else 0
                total += qty * price
                _, _, cat, v = products[p - 1]
                lines.append((len(lines) + 1, o, o, p, p, supplier, qty, price, qty * price, f"产品{p}", "箱", "箱",
                              f"合作社{supplier}", cat, v, r_qty, r_qty * price))
            status = ("refunded" if refunded else "paid") if paid else "unpaid"
            paid_at = (placed + timedelta(hours=2)).isoformat() if paid else None
            orders.append((o, f"PO-B-{o:010d}", buyer, counties()[buyer % COUNTIES],
                           BUYER_KINDS[(buyer - SUPPLIERS) % 4], admin_id, "placed", "bank_transfer", status,
                           total, "{}", "", "2030-01-01 00:00:00+00", placed.isoformat(), paid_at))
        copy_rows(conn, "orders", ("id", "number", "buyer_org_id", "buyer_region_code", "buyer_kind", "placed_by_id",
                                   "status", "payment_method", "payment_status", "total_fen", "delivery", "note",
                                   "pay_by", "placed_at", "paid_at"), orders)
        copy_rows(conn, "fulfilments", ("id", "order_id", "supplier_id", "status"),
                  ((o[0], o[0], lines[(o[0] - 1) * LINES_PER_ORDER][5], "pending") for o in orders))
        copy_rows(conn, "order_lines", ("id", "order_id", "fulfilment_id", "sku_id", "product_id", "supplier_id",
                                        "quantity", "unit_price_fen", "amount_fen", "product_name", "sku_name", "unit",
                                        "supplier_name", "category", "origin_region_code", "refunded_quantity",
                                        "refunded_fen"), lines)
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")
    print(f"loaded {len(lines):,} lines / {n_orders:,} orders / {n_products:,} products "
          f"in {time.perf_counter() - started:.1f} s")
    return admin_id


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), result


def bench_sales(app, url, token, repeat):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    lo, hi = datetime(2023, 12, 31, 16, tzinfo=UTC), datetime(2024, 12, 31, 16, tzinfo=UTC)

    def via_app():
        resp = client.get("/api/v1/reports/sales?group_by=county,month&year=2024", headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        return resp.get_json()

    with psycopg.connect(url) as conn:
        def raw():
            return conn.execute(RAW_SQL, (lo, hi)).fetchall()

        raw()  # warm the cache for both
        raw_best, raw_median, raw_rows = timed(raw, repeat)
    app_best, app_median, body = timed(via_app, repeat)
    assert len(body["rows"]) == len(raw_rows)
    assert sum(r["net_fen"] for r in body["rows"]) == sum(r[7] for r in raw_rows) == body["totals"]["net_fen"]
    print(f"sales county,month 2024: {len(raw_rows)} rows, net {body['totals']['net_fen']:,} fen")
    print(f"  raw SQL GROUP BY : best {raw_best * 1000:8.1f} ms   median {raw_median * 1000:8.1f} ms")
    print(f"  GET via the app  : best {app_best * 1000:8.1f} ms   median {app_median * 1000:8.1f} ms")
    print(f"  ratio app / raw  : best {app_best / raw_best:.2f}x   median {app_median / raw_median:.2f}x"
          f"   (goal <= 1.5x)")


def _status_kb(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def peak_growth(fn):
    """(result, VmHWM growth in MB) of fn(), the high-water mark reset first when the kernel allows."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    before = _status_kb("VmRSS")
    result = fn()
    return result, (_status_kb("VmHWM") - before) / 1024


def consume(resp):
    """Read a streamed response chunk by chunk (as a WSGI server would); returns (bytes, lines)."""
    size = lines = 0
    for chunk in resp.response:
        chunk = chunk if isinstance(chunk, bytes) else chunk.encode()
        size += len(chunk)
        lines += chunk.count(b"\n")
    resp.close()
    return size, lines


def add_synthetic_route(app, n_rows):
    """A bench-only route streaming n_rows rows of a server-side generate_series through the report path."""
    from marketplace.reports import services
    from marketplace.reports.files import file_response

    def synthetic_export():
        stmt = text("SELECT n, '村民合作社-' || n AS name, n * 37 % 100000 AS amount_fen "
                    "FROM generate_series(1, :rows) AS n").bindparams(rows=n_rows)
        export = services.Export("synthetic", ["n", "name", "amount_fen"], lambda: services.stream(stmt))
        return file_response(export, "csv")

    app.add_url_rule("/bench/synthetic.csv", "bench_synthetic", synthetic_export)


def bench_export(app, token, export_rows):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def real():
        resp = client.get("/api/v1/reports/sales?group_by=product,day&from=2023-01-01&to=2024-12-31&format=csv",
                          headers=headers, buffered=False)
        assert resp.status_code == 200
        return consume(resp)

    def synthetic():
        resp = client.get("/bench/synthetic.csv", buffered=False)
        assert resp.status_code == 200, resp.status_code
        return consume(resp)

    for label, fn in (("sales product,day CSV", real), (f"synthetic {export_rows:,}-row CSV", synthetic)):
        t = time.perf_counter()
        (size, lines), growth = peak_growth(fn)
        print(f"export {label}: {lines - 1:,} rows, {size / 2**20:.1f} MiB in {time.perf_counter() - t:.1f} s; "
              f"peak RSS growth {growth:.1f} MB (goal < 50 MB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/mk_reports_bench")
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql://"):
        parser.error("--database-url must be postgresql://...")
    ensure_database(args.database_url)
    app = make_app(args.database_url)
    add_synthetic_route(app, args.export_rows)
    from marketplace.accounts import tokens
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    if not args.skip_load:
        load(app, args.database_url, args.lines)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bench-admin@example.cn"))
        token = tokens.issue_pair(user)["access_token"]
        db.session.commit()
    bench_sales(app, args.database_url, token, args.repeat)
    bench_export(app, token, args.export_rows)


if __name__ == "__main__":
    main()
