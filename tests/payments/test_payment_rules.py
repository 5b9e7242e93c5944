"""Who may pay when, and what a bank transfer must show: each test fails on the code before issue 14."""
from datetime import timedelta

from sqlalchemy import select

from marketplace.core.clock import LOCAL_TZ, today_local
from marketplace.core.db import utcnow
from marketplace.orders.models import Fulfilment, Order
from marketplace.payments.models import Payment
from marketplace.payments.services import open_payment_for_order
from tests.helpers import assert_problem
from tests.payments.stripe_fakes import intent_obj


def _transfer_body(payment, reference="ICBC-1", received_on=None):
    return {"amount_fen": payment.amount_fen, "bank_reference": reference,
            "received_on": (received_on or today_local()).isoformat()}


def _open_payment(db, order):
    payment = open_payment_for_order(actor=None, order=order)
    db.session.commit()
    return payment


def test_order_awaiting_approval_cannot_be_paid_by_stripe(api, db, fake_stripe, make_order, people):
    order = make_order(payment_method="stripe", status="pending_approval")
    body = assert_problem(api.post(f"/orders/{order.id}/payments", people(order)["buyer"]), 409)
    assert body["current_state"] == "pending_approval" and fake_stripe.log == []


def test_order_awaiting_approval_transfer_cannot_be_confirmed(api, db, make_order, people):
    order = make_order(payment_method="bank_transfer", status="pending_approval")
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id)) or _open_payment(db, order)
    body = assert_problem(api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                                   json=_transfer_body(payment)), 409)
    assert body["current_state"] == "pending_approval"


def test_unpaid_stripe_order_cannot_be_fulfilled_until_paid(api, db, fake_stripe, make_order, people, send_event):
    # given: an unpaid Stripe order
    order = make_order(payment_method="stripe")
    who = people(order)
    fulfilment = db.session.scalar(select(Fulfilment).where(Fulfilment.order_id == order.id))
    # then: its supplier cannot confirm it
    body = assert_problem(api.post(f"/fulfilments/{fulfilment.id}/confirm", who["supplier"]), 409)
    assert body["code"] == "payment_required"
    # when: paid
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", who["buyer"]).get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    # then
    assert api.post(f"/fulfilments/{fulfilment.id}/confirm", who["supplier"]).status_code == 200


def test_timely_transfer_confirmed_after_pay_by_pays_the_order(api, db, make_order, people):
    # given: the transfer arrived yesterday, inside pay_by; pay_by has passed since
    order = make_order(payment_method="bank_transfer")
    payment = _open_payment(db, order)
    yesterday = today_local() - timedelta(days=1)
    order.placed_at = order.placed_at - timedelta(days=3)
    order.pay_by = utcnow() - timedelta(hours=1)
    db.session.commit()
    # when
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                    json=_transfer_body(payment, received_on=min(yesterday, order.pay_by.astimezone(LOCAL_TZ).date())))
    # then: paid, not expired; paid_at is the value date
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert order.status == "placed" and order.payment_status == "paid"
    assert order.paid_at.astimezone(LOCAL_TZ).date() == payment.received_on


def test_late_transfer_gives_409_late(api, db, make_order, people):
    order = make_order(payment_method="bank_transfer")
    payment = _open_payment(db, order)
    order.placed_at = utcnow() - timedelta(days=10)
    order.pay_by = utcnow() - timedelta(days=3)
    db.session.commit()
    body = assert_problem(api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                                   json=_transfer_body(payment)), 409)
    assert body["current_state"] == "late"


def test_received_on_before_the_order_was_placed_gives_422(api, db, make_order, people):
    order = make_order(payment_method="bank_transfer")
    payment = _open_payment(db, order)
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                    json=_transfer_body(payment, received_on=today_local().replace(year=2000)))
    assert_problem(resp, 422, field="received_on")


def test_one_bank_reference_confirms_one_payment_per_payer(api, db, make_order, make_buyer, people):
    # given: two orders of one buyer organization, one of another
    buyer = make_buyer()
    first, second = make_order(buyer=buyer), make_order(buyer=buyer)
    other = make_order()
    admin = people(first)["admin"]
    payments = [_open_payment(db, order) for order in (first, second, other)]
    # when / then
    assert api.post(f"/payments/{payments[0].id}/confirm-transfer", admin,
                    json=_transfer_body(payments[0], "REF-9")).status_code == 200
    assert_problem(api.post(f"/payments/{payments[1].id}/confirm-transfer", admin,
                            json=_transfer_body(payments[1], "REF-9")), 409)
    assert api.post(f"/payments/{payments[2].id}/confirm-transfer", admin,
                    json=_transfer_body(payments[2], "REF-9")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, second.id).payment_status == "unpaid"


def _expire(db, order):
    from marketplace.orders.services import expire_order
    order.placed_at = utcnow() - timedelta(days=3)
    order.pay_by = utcnow() - timedelta(days=1)
    db.session.flush()
    assert expire_order(order)
    db.session.commit()


def test_order_expired_before_a_timely_transfer_is_reinstated(api, db, make_order, make_sku, people):
    # given: the order expired unpaid; the transfer had arrived two days ago, before pay_by
    sku = make_sku(price_fen=100, stock=10)
    order = make_order(payment_method="bank_transfer", lines=[(sku, 4)])
    payment = _open_payment(db, order)
    _expire(db, order)
    db.session.expire_all()
    assert order.status == "cancelled" and db.session.get(type(sku), sku.id).stock == 10
    # when
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                    json=_transfer_body(payment, received_on=today_local() - timedelta(days=2)))
    # then: paid, placed again, stock taken again, fulfilments open
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert (order.status, order.payment_status) == ("placed", "paid")
    assert db.session.get(type(sku), sku.id).stock == 6
    assert all(f.status == "pending" for f in order.fulfilments)


def test_expired_order_whose_stock_is_gone_gives_409_naming_the_short_line(api, db, make_order, make_sku, people):
    sku = make_sku(price_fen=100, stock=5)
    order = make_order(payment_method="bank_transfer", lines=[(sku, 4)])
    payment = _open_payment(db, order)
    _expire(db, order)
    db.session.get(type(sku), sku.id).stock = 1
    db.session.commit()
    body = assert_problem(api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                                   json=_transfer_body(payment, received_on=today_local() - timedelta(days=2))), 409)
    assert "sku" in str(body).lower() and str(sku.id) in str(body)
    db.session.expire_all()
    assert order.status == "cancelled" and order.payment_status == "unpaid"
