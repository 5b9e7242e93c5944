"""Write scope of region-scoped admins on orders, payments and refunds.

A county admin SEES an order when its buyer or any of its lines lies in the county, but CHANGES
it only when the buyer and every line lie in the county (else 404, as for an order it cannot see).
万源市 (511781) and 宣汉县 (511722) are two counties of 达州市 (5117).
"""
import pytest

from marketplace.core.clock import today_local
from marketplace.payments.models import Payment
from tests.helpers import assert_problem

WANYUAN, XUANHAN = "511781", "511722"


@pytest.fixture
def mixed_order_of(db, make_buyer, make_org, make_product, make_sku, make_order):
    """An order of a 万源市 buyer with a line from 万源市 and a line from 宣汉县 (or only 万源市 lines)."""
    def make(status="placed", mixed=True):
        buyer = make_buyer(org=make_org(kind="canteen", region_code=WANYUAN))
        here = make_sku(product=make_product(supplier=make_org(kind="cooperative", region_code=WANYUAN)))
        lines = [(here, 2)]
        if mixed:
            there = make_sku(product=make_product(supplier=make_org(kind="cooperative", region_code=XUANHAN)))
            lines.append((there, 2))
        return make_order(buyer=buyer, lines=lines, status=status)
    return make


@pytest.fixture
def admins(make_user):
    return {"wanyuan": make_user("admin", region_scope=WANYUAN), "xuanhan": make_user("admin", region_scope=XUANHAN),
            "dazhou": make_user("admin", region_scope="5117"), "national": make_user("admin")}


def _payment(db, order):
    return db.session.query(Payment).filter_by(order_id=order.id).one()


def _confirm(api, db, order, admin):
    payment = _payment(db, order)
    return api.post(f"/payments/{payment.id}/confirm-transfer", admin, json={
        "amount_fen": payment.amount_fen, "bank_reference": "ICBC-1", "received_on": today_local().isoformat()})


def _refund(api, order, admin):
    return api.post(f"/orders/{order.id}/refunds", admin,
                    json={"lines": [{"line_id": order.lines[0].id, "quantity": 1}], "reason": "damaged"})


@pytest.mark.parametrize("who", ["wanyuan", "xuanhan"])
def test_county_admin_sees_a_mixed_order_but_cannot_change_it(api, db, mixed_order_of, admins, who):
    # given: a placed, unpaid bank-transfer order with lines from two counties
    order = mixed_order_of()
    admin = admins[who]
    # then: it is visible (the buyer or one line lies in the county) ...
    assert api.get(f"/orders/{order.id}", admin).status_code == 200
    # ... but neither confirming its transfer nor cancelling it is allowed: 404 as for a foreign order
    assert_problem(_confirm(api, db, order, admin), 404)
    assert_problem(api.post(f"/orders/{order.id}/cancel", admin, json={"reason": "not mine"}), 404)
    db.session.expire_all()
    assert order.status == "placed" and order.payment_status == "unpaid"


@pytest.mark.parametrize("who", ["wanyuan", "xuanhan"])
def test_county_admin_cannot_refund_a_mixed_order(api, db, mixed_order_of, admins, who):
    # given: the same mixed order, paid
    order = mixed_order_of()
    assert _confirm(api, db, order, admins["national"]).status_code == 200
    # when / then
    assert_problem(_refund(api, order, admins[who]), 404)
    db.session.expire_all()
    assert order.payment_status == "paid" and order.lines[0].refunded_quantity == 0


@pytest.mark.parametrize("who", ["wanyuan", "xuanhan"])
def test_county_admin_cannot_mark_a_mixed_orders_refund_executed(api, db, mixed_order_of, admins, who):
    # given: a pending bank-transfer refund of the mixed order, made by the national admin
    order = mixed_order_of()
    assert _confirm(api, db, order, admins["national"]).status_code == 200
    refund_id = _refund(api, order, admins["national"]).get_json()["id"]
    # when / then
    assert_problem(api.post(f"/refunds/{refund_id}/mark-executed", admins[who]), 404)
    assert api.get(f"/orders/{order.id}/refunds", admins[who]).get_json()["items"][0]["status"] == "pending"


@pytest.mark.parametrize("who", ["national", "dazhou"])
def test_admin_whose_scope_holds_every_region_changes_a_mixed_order(api, db, mixed_order_of, admins, who):
    order = mixed_order_of()
    admin = admins[who]
    assert _confirm(api, db, order, admin).status_code == 200
    refund = _refund(api, order, admin)
    assert refund.status_code == 201, refund.get_json()
    assert api.post(f"/refunds/{refund.get_json()['id']}/mark-executed", admin).status_code == 200
    cancellable = mixed_order_of()
    assert api.post(f"/orders/{cancellable.id}/cancel", admin, json={"reason": "duplicate"}).status_code == 200


def test_county_admin_changes_an_order_wholly_in_its_county(api, db, mixed_order_of, admins):
    # given: buyer and every line in 万源市
    order = mixed_order_of(mixed=False)
    admin = admins["wanyuan"]
    # then: the county admin confirms, refunds, executes the refund and (another order) cancels
    assert _confirm(api, db, order, admin).status_code == 200
    refund = _refund(api, order, admin)
    assert refund.status_code == 201, refund.get_json()
    assert api.post(f"/refunds/{refund.get_json()['id']}/mark-executed", admin).status_code == 200
    cancellable = mixed_order_of(mixed=False)
    assert api.post(f"/orders/{cancellable.id}/cancel", admin, json={"reason": "duplicate"}).status_code == 200
    # and the other county's admin neither sees nor changes it
    assert api.get(f"/orders/{order.id}", admins["xuanhan"]).status_code == 404


def test_county_admin_cannot_change_an_order_of_a_buyer_outside_its_county(api, db, make_buyer, make_org,
                                                                           make_product, make_sku, make_order,
                                                                           admins):
    # given: a 宣汉县 buyer whose only line comes from 万源市
    buyer = make_buyer(org=make_org(kind="canteen", region_code=XUANHAN))
    sku = make_sku(product=make_product(supplier=make_org(kind="cooperative", region_code=WANYUAN)))
    order = make_order(buyer=buyer, lines=[(sku, 2)])
    admin = admins["wanyuan"]
    # then: the 万源市 admin sees it (its line) but may neither confirm nor cancel it (the buyer is not its)
    assert api.get(f"/orders/{order.id}", admin).status_code == 200
    assert_problem(_confirm(api, db, order, admin), 404)
    assert_problem(api.post(f"/orders/{order.id}/cancel", admin, json={"reason": "not mine"}), 404)
    db.session.expire_all()
    assert order.status == "placed" and order.payment_status == "unpaid"


def test_another_orders_foreign_line_does_not_stop_a_county_admin(api, db, mixed_order_of, admins):
    # given: a mixed order (a 宣汉县 line) next to an order wholly in 万源市
    mixed_order_of()
    own = mixed_order_of(mixed=False)
    # when: the 万源市 admin cancels its own order
    response = api.post(f"/orders/{own.id}/cancel", admins["wanyuan"], json={"reason": "duplicate"})
    # then: only that order's lines count
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"


def test_county_admin_sees_an_order_of_its_buyer_whose_lines_all_come_from_elsewhere(api, db, make_buyer, make_org,
                                                                                    make_product, make_sku,
                                                                                    make_order, admins):
    # given: a 万源市 buyer whose only line comes from 宣汉县
    buyer = make_buyer(org=make_org(kind="canteen", region_code=WANYUAN))
    sku = make_sku(product=make_product(supplier=make_org(kind="cooperative", region_code=XUANHAN)))
    order = make_order(buyer=buyer, lines=[(sku, 1)])
    # then: the 万源市 admin sees it by its buyer (alone and in the list), the 宣汉县 admin by its line
    assert api.get(f"/orders/{order.id}", admins["wanyuan"]).get_json()["id"] == order.id
    assert [o["id"] for o in api.get("/orders", admins["wanyuan"]).get_json()["items"]] == [order.id]
    assert api.get(f"/orders/{order.id}", admins["xuanhan"]).status_code == 200
