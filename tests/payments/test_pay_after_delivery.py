"""pay_after_delivery: a buyer's bank-transfer orders may be fulfilled before payment; pay_by then
counts from acceptance. Admins set the flag; every other unpaid order waits for its payment."""
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from marketplace.core.clock import today_local
from marketplace.orders.models import Fulfilment, Order
from marketplace.orders.services import expire_overdue_orders
from marketplace.organizations.models import Organization
from marketplace.payments.models import Payment
from tests.helpers import assert_problem


def _flag(api, db, order, who, value=True):
    return api.patch(f"/organizations/{order.buyer_org_id}", who["admin"], json={"pay_after_delivery": value})


def _step(api, fulfilment, user, action):
    body = {"carrier": "顺丰", "tracking_no": f"SF{fulfilment.id:010d}"} if action == "ship" else None
    return api.post(f"/fulfilments/{fulfilment.id}/{action}", user, json=body)


def test_admin_sets_pay_after_delivery_others_may_not(api, db, make_order, people, make_user):
    order = make_order(payment_method="bank_transfer")
    who = people(order)
    manager = make_user(role="buyer_approver", org=db.session.get(Organization, order.buyer_org_id))
    assert_problem(api.patch(f"/organizations/{order.buyer_org_id}", manager, json={"pay_after_delivery": True}), 403)
    resp = _flag(api, db, order, who)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["pay_after_delivery"] is True
    supplier_id = order.lines[0].supplier_id
    assert_problem(api.patch(f"/organizations/{supplier_id}", who["admin"], json={"pay_after_delivery": True}),
                   422, field="pay_after_delivery")


def test_unpaid_transfer_order_of_an_ordinary_buyer_waits_for_payment(api, db, make_order, people):
    order = make_order(payment_method="bank_transfer")
    fulfilment = db.session.scalar(select(Fulfilment).where(Fulfilment.order_id == order.id))
    body = assert_problem(_step(api, fulfilment, people(order)["supplier"], "confirm"), 409)
    assert body["code"] == "payment_required"


@pytest.mark.parametrize("method", ["stripe"])
def test_pay_after_delivery_never_lets_a_stripe_order_through(api, db, fake_stripe, make_order, people, method):
    order = make_order(payment_method=method)
    who = people(order)
    assert _flag(api, db, order, who).status_code == 200
    fulfilment = db.session.scalar(select(Fulfilment).where(Fulfilment.order_id == order.id))
    assert assert_problem(_step(api, fulfilment, who["supplier"], "confirm"), 409)["code"] == "payment_required"


def test_pay_after_delivery_order_is_fulfilled_then_due_from_acceptance(api, db, make_order, people):
    # given: a buyer who pays after delivery, an unpaid transfer order
    order = make_order(payment_method="bank_transfer")
    who = people(order)
    assert _flag(api, db, order, who).status_code == 200
    placed_pay_by = order.pay_by
    fulfilment = db.session.scalar(select(Fulfilment).where(Fulfilment.order_id == order.id))
    # when: fulfilled and accepted unpaid
    for action, user in (("confirm", who["supplier"]), ("ship", who["supplier"]), ("deliver", who["supplier"]),
                         ("accept", who["buyer"])):
        assert _step(api, fulfilment, user, action).status_code == 200, action
    db.session.expire_all()
    # then: completed unpaid; pay_by counts from acceptance
    days = current_app.config["ORDER_PAY_BY_DAYS_TRANSFER"]
    assert (order.status, order.payment_status) == ("completed", "unpaid")
    assert order.pay_by == order.completed_at + timedelta(days=days) > placed_pay_by
    # and the expiry leaves it alone past the placement's deadline, before its own
    assert expire_overdue_orders(now=order.pay_by - timedelta(hours=1)) == 0
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "completed"
    # and the transfer is then confirmed against that pay_by
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", who["admin"], json={
        "amount_fen": payment.amount_fen, "bank_reference": "INVOICE-1", "received_on": today_local().isoformat()})
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert order.payment_status == "paid"


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_pay_after_delivery_takes_json_booleans_only(api, db, make_order, people, value):
    # the fuzzer sent {"pay_after_delivery": 0}: marshmallow's Boolean took it as false
    order = make_order(payment_method="bank_transfer")
    assert_problem(_flag(api, db, order, people(order), value), 422, field="pay_after_delivery")
    db.session.expire_all()
    assert db.session.get(Organization, order.buyer_org_id).pay_after_delivery is False
