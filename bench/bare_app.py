"""The bare baseline: a tiny Flask + SQLAlchemy Core app doing the same SQL as the project's hot paths.

No schemas, no ORM, no error contract: a products page (orderable rule, count, page, SKUs of
the page), the same with ``q``, and order placement (token look-up with the buyer's organization,
role/verified/active checks, orderability and minimum-quantity check, conditional stock UPDATEs in
SKU-id order, sales_count per product, the valid certificate numbers for the line snapshots, order
number counter, order (approval threshold), fulfilment per supplier, lines, the order.place audit
event, payment row, one commit): the SQL the project must do, nothing it may skip. Served by the
same gunicorn settings as the project:

    BENCH_DATABASE_URL=postgresql://... gunicorn -w 2 bench.bare_app:app
"""
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

LOCAL = ZoneInfo("Asia/Shanghai")
url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url, pool_size=2)
app = Flask(__name__)

ORDERABLE = """p.status = 'active'
  AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = p.supplier_id AND o.status = 'verified')
  AND EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = p.id AND c.status = 'approved'
              AND c.valid_from <= :today AND c.valid_until >= :today)"""
BUYER_KINDS = ("canteen", "school", "hospital", "agency", "state_enterprise", "union")
SEARCH = "(p.name ILIKE :q OR p.description ILIKE :q)"


@app.get("/api/v1/products")
def products():
    page = int(request.args.get("page", 1))
    size = min(int(request.args.get("page_size", 20)), 100)
    params = {"today": datetime.now(LOCAL).date(), "limit": size, "offset": (page - 1) * size}
    where = ORDERABLE
    if request.args.get("q"):
        where += " AND " + SEARCH
        params["q"] = f"%{request.args['q']}%"
    with engine.connect() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM products p WHERE {where}"), params).scalar()
        rows = conn.execute(text(
            f"SELECT p.id, p.name, p.category, p.origin_region_code, p.description, p.supplier_id, s.name AS "
            f"supplier_name, p.created_at FROM products p JOIN organizations s ON s.id = p.supplier_id "
            f"WHERE {where} ORDER BY p.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset"),
            params).mappings().all()
        ids = [r["id"] for r in rows]
        skus = conn.execute(text("SELECT id, product_id, name, unit, price_fen, stock, min_order_qty FROM skus "
                                 "WHERE product_id = ANY(:ids) ORDER BY id"), {"ids": ids}).mappings().all()
    by_product = {}
    for sku in skus:
        by_product.setdefault(sku["product_id"], []).append(dict(sku))
    items = [dict(r, created_at=r["created_at"].isoformat(), skus=by_product.get(r["id"], [])) for r in rows]
    return jsonify({"items": items, "page": page, "page_size": size, "total": total})


def _user(conn):
    raw = request.headers.get("Authorization", "")[7:]
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return conn.execute(text(
        "SELECT u.id, u.role, u.is_active, u.organization_id, o.region_code, o.kind, o.status AS org_status, "
        "o.approval_threshold_fen FROM auth_tokens t JOIN users u ON u.id = t.user_id "
        "JOIN organizations o ON o.id = u.organization_id WHERE t.token_hash = :h AND t.kind = 'access' "
        "AND t.expires_at > now() AND t.revoked_at IS NULL"), {"h": digest}).mappings().first()


@app.post("/api/v1/orders")
def place_order():
    body = request.get_json()
    lines = sorted((int(li["sku_id"]), int(li["quantity"])) for li in body["lines"])
    now = datetime.now(UTC)
    with engine.begin() as conn:
        user = _user(conn)
        if user is None or not user["is_active"]:
            return jsonify({"status": 401}), 401
        if user["role"] not in ("buyer_purchaser", "buyer_approver") or user["kind"] not in BUYER_KINDS \
                or user["org_status"] != "verified":
            return jsonify({"status": 403}), 403
        skus = {r["id"]: r for r in conn.execute(text(
            f"SELECT k.id, k.name, k.unit, k.price_fen, k.min_order_qty, p.id AS product_id, p.name AS product_name, "
            f"p.category, p.origin_region_code, p.supplier_id, s.name AS supplier_name FROM skus k JOIN products p ON "
            f"p.id = k.product_id JOIN organizations s ON s.id = p.supplier_id WHERE k.id = ANY(:ids) AND "
            f"k.is_active AND {ORDERABLE}"), {"ids": [s for s, _ in lines], "today": now.astimezone(LOCAL).date()})
            .mappings()}
        if len(skus) != len({s for s, _ in lines}) or any(q < skus[s]["min_order_qty"] for s, q in lines):
            return jsonify({"status": 422}), 422
        for sku_id, quantity in lines:
            taken = conn.execute(text("UPDATE skus SET stock = stock - :q WHERE id = :id AND stock >= :q"),
                                 {"q": quantity, "id": sku_id}).rowcount
            if taken != 1:
                conn.rollback()
                return jsonify({"status": 409, "sku_id": sku_id}), 409
        sold = {}
        for sku_id, quantity in lines:
            sold[skus[sku_id]["product_id"]] = sold.get(skus[sku_id]["product_id"], 0) + quantity
        for product_id in sorted(sold):
            conn.execute(text("UPDATE products SET sales_count = sales_count + :q WHERE id = :id"),
                         {"q": sold[product_id], "id": product_id})
        certificates = dict(conn.execute(text(
            "SELECT product_id, certificate_no FROM certifications WHERE product_id = ANY(:ids) AND status = "
            "'approved' AND valid_from <= :today AND valid_until >= :today ORDER BY valid_until, id"),
            {"ids": sorted(sold), "today": now.astimezone(LOCAL).date()}).all())
        year = now.astimezone(LOCAL).year
        value = conn.execute(text("UPDATE order_number_counters SET last_value = last_value + 1 WHERE year = :y "
                                  "RETURNING last_value"), {"y": year}).scalar()
        total = sum(skus[s]["price_fen"] * q for s, q in lines)
        threshold = user["approval_threshold_fen"]
        status = "pending_approval" if threshold is not None and total > threshold else "placed"
        number = f"PB-{year}-{value:06d}"
        order_id = conn.execute(text(
            "INSERT INTO orders (number, buyer_org_id, buyer_region_code, buyer_kind, placed_by_id, status, "
            "payment_method, payment_status, total_fen, delivery, note, pay_by, placed_at) VALUES (:number, :org, "
            ":region, :kind, :user, :status, 'bank_transfer', 'unpaid', :total, :delivery, '', :pay_by, :now) "
            "RETURNING id"), {"number": number, "status": status, "org": user["organization_id"],
                              "region": user["region_code"], "kind": user["kind"], "user": user["id"], "total": total,
                              "delivery": json.dumps(body["delivery"]), "pay_by": now + timedelta(days=7),
                              "now": now}).scalar()
        fulfilments = {}
        for sku_id, quantity in lines:
            sku = skus[sku_id]
            if sku["supplier_id"] not in fulfilments:
                fulfilments[sku["supplier_id"]] = conn.execute(text(
                    "INSERT INTO fulfilments (order_id, supplier_id, status) VALUES (:o, :s, 'pending') RETURNING id"),
                    {"o": order_id, "s": sku["supplier_id"]}).scalar()
            conn.execute(text(
                "INSERT INTO order_lines (order_id, fulfilment_id, sku_id, product_id, supplier_id, quantity, "
                "unit_price_fen, amount_fen, product_name, sku_name, unit, supplier_name, category, "
                "origin_region_code, certificate_no, refunded_quantity, refunded_fen) VALUES (:o, :f, :sku, :p, :s, "
                ":q, :price, :amount, :pn, :sn, :unit, :supn, :cat, :origin, :cert, 0, 0)"),
                {"o": order_id, "f": fulfilments[sku["supplier_id"]], "sku": sku_id, "p": sku["product_id"],
                 "s": sku["supplier_id"], "q": quantity, "price": sku["price_fen"],
                 "amount": quantity * sku["price_fen"],
                 "pn": sku["product_name"], "sn": sku["name"], "unit": sku["unit"], "supn": sku["supplier_name"],
                 "cat": sku["category"], "origin": sku["origin_region_code"],
                 "cert": certificates.get(sku["product_id"])})
        after = {"number": number, "status": status, "total_fen": total, "payment_method": "bank_transfer",
                 "lines": [{"sku_id": s, "quantity": q, "unit_price_fen": skus[s]["price_fen"]} for s, q in lines]}
        conn.execute(text(
            "INSERT INTO audit_events (actor_id, action, entity_type, entity_id, region_code, after, request_id, "
            "created_at) VALUES (:actor, 'order.place', 'order', :id, :region, :after, :rid, :now)"),
            {"actor": user["id"], "id": str(order_id), "region": user["region_code"], "after": json.dumps(after),
             "rid": request.headers.get("X-Request-ID") or uuid.uuid4().hex, "now": now})
        conn.execute(text("INSERT INTO payments (order_id, method, status, amount_fen, refunded_fen, currency, "
                          "created_at) VALUES (:o, 'bank_transfer', 'requires_payment', :a, 0, 'cny', :now)"),
                     {"o": order_id, "a": total, "now": now})
    return jsonify({"id": order_id, "total_fen": total, "status": "placed"}), 201
