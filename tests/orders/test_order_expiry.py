"""Unpaid orders past pay_by: cancelled lazily on read and by `flask orders expire`."""
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from marketplace.audit.models import AuditEvent
from marketplace.catalog.models import Sku
from marketplace.core.db import utcnow
from marketplace.orders.models import IdempotencyKey, Order
from tests.helpers import assert_problem


def _stock(db, sku_id):
    db.session.expire_all()
    return db.session.get(Sku, sku_id).stock


def test_lazy_expiry_on_get_restores_stock(api, db, make_order, make_buyer, make_sku):
    # given an unpaid bank-transfer order (7 days to pay)
    buyer, sku = make_buyer(), make_sku(stock=10)
    order = make_order(buyer=buyer, lines=[(sku, 4)])
    start = utcnow()
    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        assert api.get(f"/orders/{order.id}", buyer).get_json()["status"] == "placed"
    assert _stock(db, sku.id) == 6
    db.session.commit()
    # when read after pay_by
    api._tokens.clear()
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        body = api.get(f"/orders/{order.id}", buyer).get_json()
    # then
    assert body["status"] == "cancelled" and "pay_by" in body["cancel_reason"]
    assert {f["status"] for f in body["fulfilments"]} == {"cancelled"}
    assert _stock(db, sku.id) == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "order.expire")) == 1


def test_lazy_expiry_on_list_before_status_filter(api, db, make_order, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku(stock=5)
    stripe_order = make_order(buyer=buyer, lines=[(sku, 2)], payment_method="stripe")
    transfer_order = make_order(buyer=buyer, lines=[(sku, 1)])
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1), tick=False):
        placed = api.get("/orders?status=placed", buyer).get_json()
        cancelled = api.get("/orders?status=cancelled", buyer).get_json()
    assert [o["id"] for o in placed["items"]] == [transfer_order.id]
    assert [o["id"] for o in cancelled["items"]] == [stripe_order.id]
    assert _stock(db, sku.id) == 4


def test_paid_or_shipped_orders_do_not_expire(api, db, make_order, make_buyer):
    buyer = make_buyer()
    paid = make_order(buyer=buyer)
    shipped = make_order(buyer=buyer, status="shipped")
    db.session.get(Order, paid.id).payment_status = "paid"
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        assert api.get(f"/orders/{paid.id}", buyer).get_json()["status"] == "placed"
        assert api.get(f"/orders/{shipped.id}", buyer).get_json()["status"] == "placed"


def test_expired_order_cannot_be_approved_or_shipped(api, db, make_order, make_buyer, make_user):
    buyer = make_buyer()
    pending = make_order(buyer=buyer, status="pending_approval")
    confirmed = make_order(buyer=buyer, status="confirmed")
    f = confirmed.fulfilments[0]
    from marketplace.organizations.models import Organization
    mgr = make_user("supplier_manager", org=db.session.get(Organization, f.supplier_id))
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        assert assert_problem(api.post(f"/orders/{pending.id}/approve", buyer), 409)["current_state"] == "cancelled"
        body = assert_problem(api.post(f"/fulfilments/{f.id}/ship", mgr, json={"carrier": "c", "tracking_no": "t"}),
                              409)
        assert body["current_state"] == "cancelled"


def test_cli_expire_is_idempotent_and_purges_keys(app, db, make_order, make_sku):
    # given two unpaid orders and an old idempotency key
    sku = make_sku(stock=10)
    make_order(lines=[(sku, 3)])
    make_order(lines=[(sku, 2)], payment_method="stripe")
    db.session.add(IdempotencyKey(scope="org:1:orders", key="old", request_hash="0" * 64, response_status=201,
                                  response_body={}, created_at=utcnow() - timedelta(hours=49)))
    db.session.add(IdempotencyKey(scope="org:1:orders", key="recent", request_hash="0" * 64, response_status=201,
                                  response_body={}, created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    runner = app.test_cli_runner()
    # when only the stripe order is overdue
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        first = runner.invoke(args=["orders", "expire"])
    assert first.exit_code == 0, first.output
    assert "expired orders: 1" in first.output and "purged idempotency keys: 1" in first.output
    assert _stock(db, sku.id) == 7  # 10 - 3 - 2, then the stripe order's 2 back
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        second = runner.invoke(args=["orders", "expire"])
        third = runner.invoke(args=["orders", "expire"])
    assert "expired orders: 1" in second.output and "expired orders: 0" in third.output
    assert _stock(db, sku.id) == 10
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.status == "cancelled")) == 2
    assert set(db.session.scalars(select(IdempotencyKey.key))) == set()


def test_batch_expiry_restores_shared_skus_exactly(api, db, make_order, make_buyer, make_sku, make_user):
    buyer, a, b = make_buyer(), make_sku(stock=20), make_sku(stock=20)
    make_order(buyer=buyer, lines=[(a, 1), (b, 2)])
    make_order(buyer=buyer, lines=[(b, 3), (a, 4)])
    make_order(buyer=buyer, lines=[(a, 5)], status="shipped")  # never expires
    assert (_stock(db, a.id), _stock(db, b.id)) == (10, 15)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        listed = api.get("/orders", make_user("auditor")).get_json()
    assert sorted(o["status"] for o in listed["items"]) == ["cancelled", "cancelled", "placed"]
    assert (_stock(db, a.id), _stock(db, b.id)) == (15, 20)
