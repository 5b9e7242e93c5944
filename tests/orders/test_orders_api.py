"""POST /orders and reads: happy path, validation, orderability, stock, snapshots, approval."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditEvent
from marketplace.catalog.models import Product, Sku
from marketplace.core.clock import today_local
from marketplace.core.money import MAX_FEN
from marketplace.orders.models import Order
from tests.factories_orders import order_payload
from tests.helpers import assert_problem


def test_place_order_happy_path_groups_by_supplier_and_snapshots(api, db, make_buyer, make_sku, make_product):
    # given two suppliers, three SKUs
    buyer = make_buyer()
    p1, p2 = make_product(), make_product()
    a, b = make_sku(product=p1, price_fen=1250, stock=10), make_sku(product=p1, price_fen=300, stock=10)
    c = make_sku(product=p2, price_fen=999, stock=5)
    # when
    resp = api.post("/orders", buyer, json=order_payload([(a, 2), (c, 5), (b, 1)]))
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "placed"
    assert body["number"].startswith(f"PO-{today_local().year}-") and len(body["number"]) == 14
    assert body["total_fen"] == 2 * 1250 + 5 * 999 + 300
    assert body["payment_method"] == "bank_transfer" and body["payment_status"] == "unpaid"
    assert body["pay_by"] and body["delivery"]["requested_date"]
    assert len(body["lines"]) == 3 and len(body["fulfilments"]) == 2
    by_supplier = {f["supplier_id"]: f for f in body["fulfilments"]}
    assert {len(f["lines"]) for f in by_supplier.values()} == {1, 2}
    assert all(f["status"] == "pending" for f in body["fulfilments"])
    line = next(x for x in body["lines"] if x["sku_id"] == a.id)
    assert line["unit_price_fen"] == 1250 and line["amount_fen"] == 2500
    assert line["product_name"] == p1.name and line["sku_name"] == a.name and line["unit"] == a.unit
    assert line["supplier_id"] == p1.supplier_id and line["supplier_name"] == p1.supplier.name
    assert line["category"] == "tea" and line["origin_region_code"] == p1.origin_region_code
    assert line["certificate_no"]
    db.session.expire_all()
    assert [db.session.get(Sku, s.id).stock for s in (a, b, c)] == [8, 9, 0]
    assert db.session.get(Product, p1.id).sales_count == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "order.place")) == 1


def test_place_order_numbers_are_sequential_and_unique(api, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku()
    numbers = [api.post("/orders", buyer, json=order_payload([(sku, 1)])).get_json()["number"] for _ in range(3)]
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seq == [seq[0], seq[0] + 1, seq[0] + 2]


def test_place_order_stripe_pay_by_one_hour(api, make_buyer, make_sku):
    body = api.post("/orders", make_buyer(), json=order_payload([(make_sku(), 1)], "stripe")).get_json()
    assert body["payment_method"] == "stripe"
    from datetime import datetime
    pay_by = datetime.fromisoformat(body["pay_by"])
    placed = datetime.fromisoformat(body["placed_at"])
    assert pay_by - placed == timedelta(hours=1)


@pytest.mark.parametrize("role,status", [
    (None, 401), ("admin", 403), ("auditor", 403), ("supplier_manager", 403),
    ("buyer_purchaser", 201), ("buyer_approver", 201),
])
def test_place_order_role_matrix(api, make_user, make_buyer, make_org, make_sku, role, status):
    sku = make_sku()
    if role is None:
        user = None
    elif role.startswith("buyer"):
        user = make_buyer(role=role)
    elif role == "supplier_manager":
        user = make_user(role, org=make_org())
    else:
        user = make_user(role)
    resp = api.post("/orders", user, json=order_payload([(sku, 1)]))
    assert resp.status_code == status, resp.get_json()


def test_place_order_unverified_buyer_org_403(api, make_buyer, make_sku):
    resp = api.post("/orders", make_buyer(status="pending"), json=order_payload([(make_sku(), 1)]))
    body = assert_problem(resp, 403)
    assert "verif" in body["detail"]


def test_place_order_suspended_buyer_org_401(api, make_buyer, make_sku):
    # issue 15: the tokens of a suspended organization's users no longer work
    resp = api.post("/orders", make_buyer(status="suspended"), json=order_payload([(make_sku(), 1)]))
    assert_problem(resp, 401)


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", 10**30, 10**6 + 1, True, None])
def test_place_order_bad_quantity_422_names_field(api, make_buyer, make_sku, quantity):
    payload = order_payload([(make_sku(), 1)])
    payload["lines"][0]["quantity"] = quantity
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field="lines.0.quantity")


def test_place_order_too_many_lines_422(api, make_buyer):
    payload = order_payload([(i, 1) for i in range(1, 102)])
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field="lines")


def test_place_order_no_lines_422(api, make_buyer):
    assert_problem(api.post("/orders", make_buyer(), json=order_payload([])), 422, field="lines")


def test_place_order_duplicate_sku_422(api, make_buyer, make_sku):
    sku = make_sku()
    assert_problem(api.post("/orders", make_buyer(), json=order_payload([(sku, 1), (sku, 2)])), 422, field="lines")


def test_place_order_unknown_field_422(api, make_buyer, make_sku):
    payload = order_payload([(make_sku(), 1)])
    payload["discount_fen"] = 100
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field="discount_fen")


def test_place_order_unknown_line_field_422(api, make_buyer, make_sku):
    payload = order_payload([(make_sku(), 1)])
    payload["lines"][0]["unit_price_fen"] = 1
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field="lines.0.unit_price_fen")


def test_place_order_past_requested_date_422(api, make_buyer, make_sku):
    payload = order_payload([(make_sku(), 1)], requested_date=today_local() - timedelta(days=1))
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field="delivery.requested_date")


def test_place_order_today_requested_date_ok(api, make_buyer, make_sku):
    payload = order_payload([(make_sku(), 1)], requested_date=today_local())
    assert api.post("/orders", make_buyer(), json=payload).status_code == 201


@pytest.mark.parametrize("field", ["address", "contact_name", "contact_phone", "requested_date"])
def test_place_order_missing_delivery_field_422(api, make_buyer, make_sku, field):
    payload = order_payload([(make_sku(), 1)])
    del payload["delivery"][field]
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field=f"delivery.{field}")


@pytest.mark.parametrize("field,value", [("payment_method", "cash"), ("note", "x" * 501)])
def test_place_order_bad_top_field_422(api, make_buyer, make_sku, field, value):
    payload = order_payload([(make_sku(), 1)])
    payload[field] = value
    assert_problem(api.post("/orders", make_buyer(), json=payload), 422, field=field)


def test_place_order_malformed_json_400(api, make_buyer, token_for):
    buyer = make_buyer()
    resp = api.client.post("/api/v1/orders", data="{nope", content_type="application/json",
                           headers={"Authorization": f"Bearer {token_for(buyer)}"})
    assert_problem(resp, 400)


@pytest.mark.parametrize("kind", ["uncertified", "draft", "supplier_suspended", "expired_cert", "unknown"])
def test_place_order_not_orderable_422_names_line(api, db, make_buyer, make_sku, make_product, make_org,
                                                  make_certification, kind):
    ok = make_sku()
    if kind == "uncertified":
        bad_id = make_sku(product=make_product(certified=False)).id
    elif kind == "draft":
        bad_id = make_sku(product=make_product(status="draft")).id
    elif kind == "supplier_suspended":
        bad_id = make_sku(product=make_product(supplier=make_org(status="suspended"))).id
    elif kind == "expired_cert":
        product = make_product(certified=False)
        make_certification(product, valid_from=today_local() - timedelta(days=400),
                           valid_until=today_local() - timedelta(days=1))
        bad_id = make_sku(product=product).id
    else:
        bad_id = 999999
    before = db.session.get(Sku, ok.id).stock
    body = assert_problem(api.post("/orders", make_buyer(), json=order_payload([(ok, 1), (bad_id, 1)])), 422,
                          field="lines.1.sku_id")
    assert "lines.0.sku_id" not in body["errors"]
    db.session.expire_all()
    assert db.session.get(Sku, ok.id).stock == before


def test_place_order_below_min_order_qty_422(api, make_buyer, make_sku):
    sku = make_sku(min_order_qty=10)
    assert_problem(api.post("/orders", make_buyer(), json=order_payload([(sku, 9)])), 422, field="lines.0.quantity")


def test_place_order_total_above_max_fen_422_and_takes_nothing(api, db, make_buyer, make_sku):
    """Every amount stays within core.money.MAX_FEN: a price at the maximum cannot be multiplied past it."""
    sku = make_sku(price_fen=MAX_FEN, stock=10)
    assert api.post("/orders", make_buyer(), json=order_payload([(sku, 1)])).status_code == 201
    body = assert_problem(api.post("/orders", make_buyer(), json=order_payload([(sku, 2)])), 422, field="lines")
    assert str(MAX_FEN) in body["errors"]["lines"][0]
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == 9


def test_place_order_short_stock_409_names_each_and_takes_nothing(api, db, make_buyer, make_sku):
    # given
    plenty, short1, short2 = make_sku(stock=50), make_sku(stock=3), make_sku(stock=0)
    # when
    resp = api.post("/orders", make_buyer(), json=order_payload([(plenty, 5), (short1, 4), (short2, 1)]))
    # then
    body = assert_problem(resp, 409)
    assert {(s["sku_id"], s["requested"], s["available"]) for s in body["shortages"]} == {
        (short1.id, 4, 3), (short2.id, 1, 0)}
    assert set(body["errors"]) == {"lines.1.quantity", "lines.2.quantity"}
    assert str(short1.id) in body["detail"] and "available 3" in body["detail"]
    db.session.expire_all()
    assert [db.session.get(Sku, s.id).stock for s in (plenty, short1, short2)] == [50, 3, 0]
    assert db.session.get(Product, plenty.product_id).sales_count == 0
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_place_order_exact_stock_leaves_zero(api, db, make_buyer, make_sku):
    sku = make_sku(stock=7)
    assert api.post("/orders", make_buyer(), json=order_payload([(sku, 7)])).status_code == 201
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == 0


def test_snapshot_survives_catalog_and_certificate_changes(api, db, make_buyer, make_sku, make_product):
    # given an order
    product = make_product(name="富硒绿茶")
    sku = make_sku(product=product, price_fen=4200, name="250克")
    buyer = make_buyer()
    first = api.post("/orders", buyer, json=order_payload([(sku, 2)])).get_json()
    # when price, names, supplier name and certificate all change
    from marketplace.certification.models import Certification
    from marketplace.organizations.models import Organization
    s = db.session.get(Sku, sku.id)
    s.price_fen, s.name, s.unit = 9999, "500克", "盒"
    p = db.session.get(Product, product.id)
    p.name, p.category = "改名的茶", "other"
    db.session.get(Organization, product.supplier_id).name = "新名字合作社"
    cert = db.session.scalar(select(Certification).where(Certification.product_id == product.id))
    cert.certificate_no, cert.status = "FP-CHANGED-0001", "revoked"
    db.session.commit()
    # then the order reads the same
    again = api.get(f"/orders/{first['id']}", buyer).get_json()
    assert again["lines"] == first["lines"]
    assert again["total_fen"] == first["total_fen"] == 8400


def test_approval_flow_threshold(api, make_buyer, make_user, make_sku):
    # given an org with a 10000 fen threshold
    approver = make_buyer(approval_threshold_fen=10000)
    purchaser = make_user(role="buyer_purchaser", org=approver.organization)
    sku = make_sku(price_fen=5000)
    at = api.post("/orders", purchaser, json=order_payload([(sku, 2)])).get_json()
    above = api.post("/orders", purchaser, json=order_payload([(sku, 3)])).get_json()
    assert at["status"] == "placed" and above["status"] == "pending_approval"
    # purchasers cannot approve
    assert_problem(api.post(f"/orders/{above['id']}/approve", purchaser), 403)
    # another org's approver gets 404
    assert_problem(api.post(f"/orders/{above['id']}/approve", make_buyer()), 404)
    resp = api.post(f"/orders/{above['id']}/approve", approver)
    assert resp.status_code == 200 and resp.get_json()["status"] == "placed"
    assert resp.get_json()["approved_by_id"] == approver.id
    body = assert_problem(api.post(f"/orders/{above['id']}/approve", approver), 409)
    assert body["current_state"] == "placed"


def test_no_threshold_never_pending(api, make_buyer, make_sku):
    body = api.post("/orders", make_buyer(), json=order_payload([(make_sku(price_fen=10**7, stock=10**6), 1000)]))
    assert body.get_json()["status"] == "placed"
