"""Reads by role, cancellation, fulfilment transitions and acceptance."""
import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from marketplace.catalog.models import Product, Sku
from marketplace.organizations.models import Organization
from tests.helpers import assert_problem


@pytest.fixture
def two_supplier_order(db, make_order, make_buyer, make_product, make_sku, make_org, make_user):
    """An order with lines from two suppliers in different counties, with their managers."""
    buyer = make_buyer()
    buyer.organization.pay_after_delivery = True  # unpaid transfer orders are fulfilled before payment
    sup_a = make_org(kind="cooperative", region_code="511781")
    sup_b = make_org(kind="cooperative", region_code="511722")
    sku_a = make_sku(product=make_product(supplier=sup_a), price_fen=1000, stock=10)
    sku_b = make_sku(product=make_product(supplier=sup_b), price_fen=300, stock=10)
    order = make_order(buyer=buyer, lines=[(sku_a, 2), (sku_b, 3)])
    return {"order": order, "buyer": buyer, "sku_a": sku_a, "sku_b": sku_b,
            "mgr_a": make_user("supplier_manager", org=sup_a), "mgr_b": make_user("supplier_manager", org=sup_b),
            "fa": next(f for f in order.fulfilments if f.supplier_id == sup_a.id),
            "fb": next(f for f in order.fulfilments if f.supplier_id == sup_b.id)}


def test_get_order_role_matrix(api, make_user, make_buyer, make_org, two_supplier_order):
    t = two_supplier_order
    oid = t["order"].id
    assert_problem(api.get(f"/orders/{oid}"), 401)
    assert api.get(f"/orders/{oid}", t["buyer"]).status_code == 200
    colleague = make_user("buyer_purchaser", org=t["buyer"].organization)
    assert api.get(f"/orders/{oid}", colleague).status_code == 200
    assert_problem(api.get(f"/orders/{oid}", make_buyer()), 404)
    assert_problem(api.get(f"/orders/{oid}", make_user("supplier_manager", org=make_org())), 404)
    assert api.get(f"/orders/{oid}", make_user("admin")).status_code == 200
    assert api.get(f"/orders/{oid}", make_user("auditor", region_scope="51")).status_code == 200
    # scope by line origin: the buyer is in 511781, supplier B's goods come from 511722
    assert api.get(f"/orders/{oid}", make_user("admin", region_scope="511722")).status_code == 200
    assert_problem(api.get(f"/orders/{oid}", make_user("admin", region_scope="511723")), 404)
    assert_problem(api.get(f"/orders/{oid}", make_user("auditor", region_scope="44")), 404)
    assert_problem(api.get("/orders/999999", t["buyer"]), 404)


def test_supplier_sees_only_its_lines_and_fulfilment(api, two_supplier_order):
    t = two_supplier_order
    body = api.get(f"/orders/{t['order'].id}", t["mgr_b"]).get_json()
    assert [line["sku_id"] for line in body["lines"]] == [t["sku_b"].id]
    assert [f["id"] for f in body["fulfilments"]] == [t["fb"].id]
    assert body["total_fen"] == 900
    listed = api.get("/orders", t["mgr_b"]).get_json()
    assert listed["total"] == 1 and listed["items"][0]["total_fen"] == 900
    assert len(listed["items"][0]["lines"]) == 1
    full = api.get(f"/orders/{t['order'].id}", t["buyer"]).get_json()
    assert full["total_fen"] == 2900 and len(full["lines"]) == 2


def test_list_orders_filters_and_scopes(api, make_order, make_buyer, make_user, make_sku):
    buyer = make_buyer()
    o1 = make_order(buyer=buyer)
    o2 = make_order(buyer=buyer, status="cancelled")
    make_order()  # another org
    listed = api.get("/orders", buyer).get_json()
    assert [i["id"] for i in listed["items"]] == [o2.id, o1.id] and listed["total"] == 2
    assert [i["id"] for i in api.get("/orders?status=cancelled", buyer).get_json()["items"]] == [o2.id]
    assert api.get("/orders", make_user("admin")).get_json()["total"] == 3
    assert_problem(api.get("/orders?status=bogus", buyer), 422, field="status")
    assert_problem(api.get("/orders?from=2025-02-01&to=2025-01-01", buyer), 422, field="to")
    assert api.get("/orders?from=2000-01-01&to=2001-01-01", buyer).get_json()["total"] == 0
    assert api.get("/orders?from=2000-01-01", buyer).get_json()["total"] == 2
    assert_problem(api.get("/orders?page_size=101", buyer), 422, field="page_size")


def test_cancel_restores_stock_once_and_cancels_fulfilments(api, db, two_supplier_order):
    t = two_supplier_order
    oid = t["order"].id
    resp = api.post(f"/orders/{oid}/cancel", t["buyer"], json={"reason": "预算调整"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "预算调整"
    assert {f["status"] for f in body["fulfilments"]} == {"cancelled"}
    db.session.expire_all()
    assert db.session.get(Sku, t["sku_a"].id).stock == 10 and db.session.get(Sku, t["sku_b"].id).stock == 10
    assert db.session.get(Product, t["sku_a"].product_id).sales_count == 0
    again = assert_problem(api.post(f"/orders/{oid}/cancel", t["buyer"], json={"reason": "x"}), 409)
    assert again["current_state"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Sku, t["sku_a"].id).stock == 10
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "order.cancel")) == "order.cancel"


def test_cancel_role_matrix(api, make_user, make_buyer, make_org, two_supplier_order):
    t = two_supplier_order
    url = f"/orders/{t['order'].id}/cancel"
    assert_problem(api.post(url, json={"reason": "x"}), 401)
    assert_problem(api.post(url, t["mgr_a"], json={"reason": "x"}), 403)
    assert_problem(api.post(url, make_user("auditor"), json={"reason": "x"}), 403)
    assert_problem(api.post(url, make_buyer(), json={"reason": "x"}), 404)
    assert_problem(api.post(url, make_user("admin", region_scope="44"), json={"reason": "x"}), 404)
    assert_problem(api.post(url, t["buyer"], json={}), 422, field="reason")
    assert_problem(api.post(url, t["buyer"], json={"reason": ""}), 422, field="reason")
    assert api.post(url, make_user("admin", region_scope="51"), json={"reason": "管理员取消"}).status_code == 200


def test_cancel_after_ship_409_with_current_state(api, db, two_supplier_order):
    t = two_supplier_order
    assert api.post(f"/fulfilments/{t['fa'].id}/confirm", t["mgr_a"]).status_code == 200
    assert api.post(f"/fulfilments/{t['fa'].id}/ship", t["mgr_a"],
                    json={"carrier": "顺丰", "tracking_no": "SF123"}).status_code == 200
    body = assert_problem(api.post(f"/orders/{t['order'].id}/cancel", t["buyer"], json={"reason": "x"}), 409)
    assert body["current_state"] == "placed" and body["fulfilment_states"] == {str(t["fa"].id): "shipped"}
    db.session.expire_all()
    assert db.session.get(Sku, t["sku_a"].id).stock == 8


def test_cancel_confirmed_but_unshipped_ok(api, two_supplier_order):
    t = two_supplier_order
    api.post(f"/fulfilments/{t['fa'].id}/confirm", t["mgr_a"])
    assert api.post(f"/orders/{t['order'].id}/cancel", t["buyer"], json={"reason": "x"}).status_code == 200


def test_cancel_paid_order_refunds_in_full_and_restores_stock(api, db, make_buyer, make_sku, make_paid_order):
    # given: a bank-transfer order of 2 x 1000 + 3 x 300 fen whose transfer was confirmed (stock 10 -> 8, 7)
    from marketplace.orders.models import Order
    from marketplace.payments.models import Payment, Refund
    buyer = make_buyer()
    sku_a, sku_b = make_sku(price_fen=1000, stock=10), make_sku(price_fen=300, stock=10)
    order = make_paid_order(buyer=buyer, lines=[(sku_a, 2), (sku_b, 3)])
    # when
    resp = api.post(f"/orders/{order.id}/cancel", buyer, json={"reason": "x"})
    # then: cancelled, 2900 fen refunded (pending until the bank refund is executed), the stock back
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == "refunded"
    assert (db.session.get(Sku, sku_a.id).stock, db.session.get(Sku, sku_b.id).stock) == (10, 10)
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert (refund.amount_fen, refund.status) == (2900, "pending")
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.status, payment.refunded_fen) == ("refunded", 2900)


def test_cancel_order_marked_paid_without_a_payment_is_refused_and_keeps_stock(api, db, two_supplier_order):
    # given: an order whose payment_status says paid although no payment exists (inconsistent data)
    t = two_supplier_order
    from marketplace.orders.models import Order
    db.session.get(Order, t["order"].id).payment_status = "paid"
    db.session.commit()
    # when
    resp = api.post(f"/orders/{t['order'].id}/cancel", t["buyer"], json={"reason": "x"})
    # then: nothing to refund from, so the cancellation is refused whole
    assert_problem(resp, 409)
    db.session.expire_all()
    assert db.session.get(Order, t["order"].id).status == "placed"
    assert db.session.get(Sku, t["sku_a"].id).stock == 8


def test_full_fulfilment_flow_completes_order(api, db, two_supplier_order):
    t = two_supplier_order
    for f, mgr in ((t["fa"], t["mgr_a"]), (t["fb"], t["mgr_b"])):
        assert api.post(f"/fulfilments/{f.id}/confirm", mgr).get_json()["status"] == "confirmed"
        shipped = api.post(f"/fulfilments/{f.id}/ship", mgr, json={"carrier": "EMS", "tracking_no": "E1"}).get_json()
        assert shipped["status"] == "shipped" and shipped["carrier"] == "EMS" and shipped["shipped_at"]
        assert api.post(f"/fulfilments/{f.id}/deliver", mgr).get_json()["status"] == "delivered"
    assert api.post(f"/fulfilments/{t['fa'].id}/accept", t["buyer"]).get_json()["status"] == "accepted"
    assert api.get(f"/orders/{t['order'].id}", t["buyer"]).get_json()["status"] == "placed"
    assert api.post(f"/fulfilments/{t['fb'].id}/accept", t["buyer"]).get_json()["status"] == "accepted"
    order = api.get(f"/orders/{t['order'].id}", t["buyer"]).get_json()
    assert order["status"] == "completed" and order["completed_at"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"fulfilment.confirm", "fulfilment.ship", "fulfilment.deliver", "fulfilment.accept",
            "order.complete"} <= actions


def test_fulfilment_wrong_state_409(api, two_supplier_order):
    t = two_supplier_order
    fid = t["fa"].id
    body = assert_problem(api.post(f"/fulfilments/{fid}/ship", t["mgr_a"],
                                   json={"carrier": "EMS", "tracking_no": "1"}), 409)
    assert body["current_state"] == "pending"
    assert assert_problem(api.post(f"/fulfilments/{fid}/accept", t["buyer"]), 409)["current_state"] == "pending"
    api.post(f"/fulfilments/{fid}/confirm", t["mgr_a"])
    assert assert_problem(api.post(f"/fulfilments/{fid}/confirm", t["mgr_a"]), 409)["current_state"] == "confirmed"


def test_fulfilment_role_matrix(api, make_user, make_buyer, make_org, two_supplier_order):
    t = two_supplier_order
    fid = t["fa"].id
    assert_problem(api.post(f"/fulfilments/{fid}/confirm"), 401)
    assert_problem(api.post(f"/fulfilments/{fid}/confirm", t["buyer"]), 403)
    assert_problem(api.post(f"/fulfilments/{fid}/confirm", make_user("admin")), 403)
    assert_problem(api.post(f"/fulfilments/{fid}/confirm", t["mgr_b"]), 404)  # another supplier's
    assert_problem(api.post(f"/fulfilments/{fid}/accept", t["mgr_a"]), 403)
    assert_problem(api.post(f"/fulfilments/{fid}/accept", make_buyer()), 404)
    assert_problem(api.post(f"/fulfilments/{fid}/ship", t["mgr_a"], json={"carrier": "", "tracking_no": "1"}),
                   422, field="carrier")
    assert_problem(api.post(f"/fulfilments/{fid}/ship", t["mgr_a"], json={"carrier": "EMS"}), 422,
                   field="tracking_no")


def test_ship_requires_placed_order(api, db, make_order, make_buyer, make_user):
    buyer = make_buyer()
    order = make_order(buyer=buyer, status="pending_approval")
    f = order.fulfilments[0]
    mgr = make_user("supplier_manager", org=db.session.get(Organization, f.supplier_id))
    body = assert_problem(api.post(f"/fulfilments/{f.id}/confirm", mgr), 409)
    assert body["current_state"] == "pending_approval"
    api.post(f"/orders/{order.id}/cancel", buyer, json={"reason": "x"})
    assert assert_problem(api.post(f"/fulfilments/{f.id}/confirm", mgr), 409)["current_state"] == "cancelled"


def test_list_fulfilments_by_role(api, make_user, make_buyer, two_supplier_order):
    t = two_supplier_order
    assert [f["id"] for f in api.get("/fulfilments", t["mgr_a"]).get_json()["items"]] == [t["fa"].id]
    assert api.get("/fulfilments", t["buyer"]).get_json()["total"] == 2
    assert api.get("/fulfilments", make_buyer()).get_json()["total"] == 0
    assert api.get("/fulfilments", make_user("admin")).get_json()["total"] == 2
    assert api.get("/fulfilments", make_user("auditor", region_scope="44")).get_json()["total"] == 0
    assert api.get("/fulfilments?status=shipped", t["buyer"]).get_json()["total"] == 0
    item = api.get(f"/fulfilments/{t['fb'].id}", t["mgr_b"]).get_json()
    assert item["order_number"] == t["order"].number and item["total_fen"] == 900
    assert_problem(api.get(f"/fulfilments/{t['fb'].id}", t["mgr_a"]), 404)
    assert_problem(api.get("/fulfilments"), 401)


def test_make_order_factory_stages(make_order):
    assert make_order(status="completed").status == "completed"
    shipped = make_order(status="shipped")
    assert shipped.status == "placed" and {f.status for f in shipped.fulfilments} == {"shipped"}
    assert make_order(status="pending_approval").status == "pending_approval"
    assert make_order(status="cancelled").status == "cancelled"


def test_supplier_view_shows_the_orders_own_fields(api, two_supplier_order):
    # given: supplier B's trimmed view and the buyer's full view of one order
    t = two_supplier_order
    part = api.get(f"/orders/{t['order'].id}", t["mgr_b"]).get_json()
    full = api.get(f"/orders/{t['order'].id}", t["buyer"]).get_json()
    # then: everything but its lines, fulfilments and total is the order's own
    assert part["id"] == t["order"].id and part["number"] == t["order"].number
    for field in ("status", "payment_status", "payment_method", "buyer_org_id", "buyer_region_code", "placed_at"):
        assert part[field] == full[field], field
