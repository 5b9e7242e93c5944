"""POST /orders/{id}/refunds: by line and quantity, never above what was paid; cancel refunds in full."""
import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from marketplace.ledger.models import JournalEntry
from marketplace.orders.models import OrderLine
from marketplace.outbox.models import OutboxMessage
from marketplace.payments.models import Payment, Refund
from tests.helpers import assert_problem
from tests.payments.stripe_fakes import intent_obj


@pytest.fixture
def two_supplier_order(make_paid_order, make_sku):
    """A paid bank-transfer order: line 0 = 5 × 1000 fen (supplier A), line 1 = 3 × 333 fen (supplier B)."""
    return make_paid_order(lines=[(make_sku(price_fen=1000), 5), (make_sku(price_fen=333), 3)])


def _refund(api, order, user, items, reason="质量问题", **kw):
    return api.post(f"/orders/{order.id}/refunds", user,
                    json={"lines": [{"line_id": lid, "quantity": q} for lid, q in items], "reason": reason}, **kw)


def test_refund_partial_by_supplier_updates_line_payment_order_and_posts(api, db, two_supplier_order, people):
    # given
    order = two_supplier_order
    line = order.lines[0]
    # when
    resp = _refund(api, order, people(order)["supplier"], [(line.id, 2)])
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["amount_fen"] == 2000 and body["status"] == "pending" and body["lines"][0]["line_id"] == line.id
    db.session.expire_all()
    assert (line.refunded_quantity, line.refunded_fen) == (2, 2000)
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert payment.status == "partially_refunded" and payment.refunded_fen == 2000
    assert order.payment_status == "partially_refunded"
    assert db.session.scalars(select(JournalEntry).where(JournalEntry.refund_id == body["id"])).first()


def test_refund_everything_by_admin_marks_refunded(api, db, two_supplier_order, people):
    order = two_supplier_order
    resp = _refund(api, order, people(order)["admin"], [(order.lines[0].id, 5), (order.lines[1].id, 3)])
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["amount_fen"] == order.total_fen
    db.session.expire_all()
    assert order.payment_status == "refunded"


def test_refund_last_units_take_exactly_the_line_remainder(api, db, two_supplier_order, people):
    order = two_supplier_order
    admin = people(order)["admin"]
    line = order.lines[1]
    assert _refund(api, order, admin, [(line.id, 1)]).get_json()["amount_fen"] == 333
    assert _refund(api, order, admin, [(line.id, 2)]).get_json()["amount_fen"] == 666
    db.session.expire_all()
    assert line.refunded_fen == line.amount_fen


def test_refund_above_paid_gives_422_naming_the_line(api, db, two_supplier_order, people):
    order = two_supplier_order
    admin = people(order)["admin"]
    assert _refund(api, order, admin, [(order.lines[0].id, 4)]).status_code == 201
    body = assert_problem(_refund(api, order, admin, [(order.lines[1].id, 1), (order.lines[0].id, 2)]), 422,
                          field="lines.1.quantity")
    assert body["errors"] == {"lines.1.quantity": ["more than was paid and not yet refunded (1)"]}
    db.session.expire_all()
    assert order.lines[1].refunded_quantity == 0


def test_refund_supplier_refunding_another_suppliers_line_gives_422(api, db, two_supplier_order, people):
    order = two_supplier_order
    resp = _refund(api, order, people(order)["supplier"], [(order.lines[1].id, 1)])
    assert_problem(resp, 422, field="lines.0.line_id")


def test_refund_schema_errors_name_the_line_field_dotted(api, db, two_supplier_order, people):
    """Like orders (``lines.0.quantity``): one flat, dotted name per field, never nested objects."""
    order = two_supplier_order
    body = assert_problem(_refund(api, order, people(order)["admin"], [(order.lines[0].id, 1), (order.lines[1].id, 0)]),
                          422, field="lines.1.quantity")
    assert set(body["errors"]) == {"lines.1.quantity"}


def test_refund_supplier_not_on_the_order_gives_404(api, db, two_supplier_order, people):
    order = two_supplier_order
    assert_problem(_refund(api, order, people(order)["other_supplier"], [(order.lines[0].id, 1)]), 404)


@pytest.mark.parametrize(("items", "field"), [([], "lines"), ([(1, 0)], "lines.0.quantity"),
                                             ([(1, 10**6 + 1)], "lines.0.quantity"), ([(1, "2")], "lines.0.quantity"),
                                             ([(1, 1), (1, 1)], "lines.1.line_id")])
def test_refund_bad_lines_give_422(api, db, two_supplier_order, people, items, field):
    order = two_supplier_order
    items = [(order.lines[0].id if lid == 1 else lid, q) for lid, q in items]
    assert_problem(_refund(api, order, people(order)["admin"], items), 422, field=field)


def test_refund_reason_required_and_bounded(api, db, two_supplier_order, people):
    order = two_supplier_order
    admin = people(order)["admin"]
    assert_problem(_refund(api, order, admin, [(order.lines[0].id, 1)], reason=""), 422, field="reason")
    assert_problem(_refund(api, order, admin, [(order.lines[0].id, 1)], reason="x" * 501), 422, field="reason")


def test_refund_unpaid_order_gives_409(api, db, make_order, people):
    order = make_order()
    body = assert_problem(_refund(api, order, people(order)["admin"], [(order.lines[0].id, 1)]), 409)
    assert body["current_state"] == "unpaid"


@pytest.mark.parametrize("who,status", [
    (None, 401), ("supplier", 201), ("admin", 201), ("far_admin", 404), ("auditor", 403), ("buyer", 403),
    ("other_supplier", 404)])
def test_refund_role_matrix(api, db, paid_order, people, who, status):
    user = people(paid_order)[who] if who else None
    resp = _refund(api, paid_order, user, [(paid_order.lines[0].id, 1)])
    assert resp.status_code == status, resp.get_json()


def test_refund_idempotency_key_replays_and_rejects_other_body(api, db, two_supplier_order, people):
    order = two_supplier_order
    admin = people(order)["admin"]
    line = order.lines[0]
    first = _refund(api, order, admin, [(line.id, 1)], headers={"Idempotency-Key": "r-1"})
    again = _refund(api, order, admin, [(line.id, 1)], headers={"Idempotency-Key": "r-1"})
    other = _refund(api, order, admin, [(line.id, 2)], headers={"Idempotency-Key": "r-1"})
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert_problem(other, 422, field="Idempotency-Key")
    db.session.expire_all()
    assert line.refunded_quantity == 1


def test_refund_stripe_order_goes_through_the_outbox_with_its_uuid_key(api, db, fake_stripe, make_order, people,
                                                                         send_event):
    # given: a stripe order paid by a verified webhook
    order = make_order(payment_method="stripe")
    who = people(order)
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", who["buyer"]).get_json()["id"])
    assert send_event("payment_intent.succeeded", intent_obj(payment)).status_code == 200
    # when
    resp = _refund(api, order, who["supplier"], [(order.lines[0].id, 1)])
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    request, _ = fake_stripe.log[-1]
    key = db.session.scalar(select(OutboxMessage.idempotency_key)
                            .where(OutboxMessage.subject == f"refund:{body['id']}"))
    assert request.path == "/v1/refunds" and request.headers["Idempotency-Key"] == key and len(key) == 32
    assert body["status"] == "pending"
    assert request.form["payment_intent"] == payment.stripe_payment_intent_id
    assert request.form["amount"] == str(body["amount_fen"])
    # and: charge.refunded reconciles our refund to succeeded
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
              "amount_refunded": body["amount_fen"],
              "refunds": {"data": [{"id": body["stripe_refund_id"], "amount": body["amount_fen"],
                                    "status": "succeeded"}]}}
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "reconciled"
    db.session.expire_all()
    assert db.session.get(Refund, body["id"]).status == "succeeded"
    assert db.session.scalar(select(JournalEntry).where(JournalEntry.refund_id == body["id"],
                                                        JournalEntry.kind == "refund_paid"))


def test_charge_refunded_outside_the_api_is_booked_by_line(api, db, fake_stripe, make_order, people, send_event):
    # given: a paid Stripe order; 100 fen refunded in the Stripe dashboard
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments",
                                               people(order)["buyer"]).get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    charge = {"id": "ch_2", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
              "amount_refunded": 100, "refunds": {"data": [{"id": "re_dashboard", "amount": 100,
                                                            "status": "succeeded"}]}}
    # when / then: booked (reversed by the attribution rule, paid out), once
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "reconciled"
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "reconciled"
    db.session.expire_all()
    refund = db.session.scalar(select(Refund))
    assert (refund.stripe_refund_id, refund.amount_fen, refund.status) == ("re_dashboard", 100, "succeeded")
    assert payment.refunded_fen == 100 and order.payment_status == "partially_refunded"
    assert order.lines[0].refunded_fen == 100 and order.lines[0].refunded_quantity == 1


def test_charge_refunded_before_the_payment_succeeded_is_replayed_after_it(api, db, fake_stripe, make_order,
                                                                           people, send_event):
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments",
                                               people(order)["buyer"]).get_json()["id"])
    charge = {"id": "ch_3", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
              "amount_refunded": order.total_fen,
              "refunds": {"data": [{"id": "re_early", "amount": order.total_fen, "status": "succeeded"}]}}
    # when: the refund event arrives first
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "deferred"
    assert send_event("payment_intent.succeeded", intent_obj(payment)).get_json()["outcome"] == "succeeded"
    # then: the payment, then the refund, are booked
    db.session.expire_all()
    assert order.payment_status == "refunded" and payment.refunded_fen == order.total_fen
    assert db.session.scalar(select(Refund)).status == "succeeded"


def test_refund_cancelled_paid_order_refunds_everything(db, two_supplier_order, make_user):
    from marketplace.payments.services import refund_cancelled_order
    order = two_supplier_order
    admin = make_user(role="admin")
    refund = refund_cancelled_order(actor=admin, order=order)
    db.session.commit()
    assert refund.amount_fen == order.total_fen
    db.session.expire_all()
    assert order.payment_status == "refunded"
    assert all(line.refunded_quantity == line.quantity for line in db.session.scalars(select(OrderLine)))


def test_refund_cancelled_unpaid_order_is_a_noop(db, make_order, make_user):
    from marketplace.payments.services import refund_cancelled_order
    assert refund_cancelled_order(actor=make_user(role="admin"), order=make_order()) is None


def test_cancel_paid_order_through_api_refunds_in_full(api, db, paid_order, people):
    resp = api.post(f"/orders/{paid_order.id}/cancel", people(paid_order)["buyer"], json={"reason": "预算取消"})
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert paid_order.status == "cancelled" and paid_order.payment_status == "refunded"


def test_bank_refund_mark_executed_books_payout_once(api, db, two_supplier_order, people):
    # given: a pending bank-transfer refund
    order = two_supplier_order
    who = people(order)
    refund_id = _refund(api, order, who["admin"], [(order.lines[0].id, 1)]).get_json()["id"]
    # when
    resp = api.post(f"/refunds/{refund_id}/mark-executed", who["admin"])
    # then
    assert resp.status_code == 200 and resp.get_json()["status"] == "succeeded"
    assert db.session.scalar(select(JournalEntry).where(JournalEntry.refund_id == refund_id,
                                                        JournalEntry.kind == "refund_paid"))
    body = assert_problem(api.post(f"/refunds/{refund_id}/mark-executed", who["admin"]), 409)
    assert body["current_state"] == "succeeded"



def test_bank_refund_mark_executed_is_audited_with_its_admin_and_status_change(api, db, two_supplier_order, people):
    # given: a pending bank-transfer refund
    order = two_supplier_order
    who = people(order)
    refund_id = _refund(api, order, who["admin"], [(order.lines[0].id, 1)]).get_json()["id"]
    # when
    assert api.post(f"/refunds/{refund_id}/mark-executed", who["admin"]).status_code == 200
    # then
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "refund.succeeded"))
    assert (event.actor_id, event.entity_type, event.entity_id) == (who["admin"].id, "refund", str(refund_id))
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "succeeded", "source": "bank_transfer"}
    assert event.region_code == order.buyer_region_code

@pytest.mark.parametrize("who,status", [
    (None, 401), ("admin", 200), ("far_admin", 404), ("auditor", 403), ("supplier", 403), ("buyer", 403)])
def test_bank_refund_mark_executed_role_matrix(api, db, paid_order, people, who, status):
    users = people(paid_order)
    refund_id = _refund(api, paid_order, users["admin"], [(paid_order.lines[0].id, 1)]).get_json()["id"]
    resp = api.post(f"/refunds/{refund_id}/mark-executed", users[who] if who else None)
    assert resp.status_code == status, resp.get_json()


@pytest.mark.parametrize("who,status", [
    (None, 401), ("buyer", 200), ("supplier", 200), ("auditor", 200), ("other_buyer", 404), ("far_admin", 404)])
def test_list_refunds_role_matrix(api, db, paid_order, people, who, status):
    users = people(paid_order)
    _refund(api, paid_order, users["admin"], [(paid_order.lines[0].id, 1)])
    resp = api.get(f"/orders/{paid_order.id}/refunds", users[who] if who else None)
    assert resp.status_code == status, resp.get_json()
    if status == 200:
        assert resp.get_json()["total"] == 1


def test_refund_of_the_last_units_after_an_outside_refund_takes_the_lines_remainder(api, db, fake_stripe,
                                                                                     make_order, make_sku, people,
                                                                                     send_event):
    # given: a paid Stripe order of 3 × 1000 fen; 150 fen refunded in the Stripe dashboard (booked on 1 unit)
    order = make_order(payment_method="stripe", lines=[(make_sku(price_fen=1000), 3)])
    who = people(order)
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", who["buyer"]).get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    charge = {"id": "ch_4", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
              "amount_refunded": 150, "refunds": {"data": [{"id": "re_dash", "amount": 150, "status": "succeeded"}]}}
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "reconciled"
    # when: the 2 units left are refunded through the API
    resp = _refund(api, order, who["admin"], [(order.lines[0].id, 2)])
    # then: they take what is left of the line (3000 - 150 = 2850 fen), not 2 × 1000
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["amount_fen"] == 2850
    db.session.expire_all()
    assert (order.lines[0].refunded_quantity, order.lines[0].refunded_fen) == (3, 3000)
    assert payment.refunded_fen == 3000 and order.payment_status == "refunded"
