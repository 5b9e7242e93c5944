"""POST/GET /orders/{id}/payments: Stripe PaymentIntents through the fake Stripe, bank-transfer rows."""
import pytest
from sqlalchemy import func, select

from marketplace.outbox.models import OutboxMessage
from marketplace.payments.models import Payment
from tests.helpers import assert_problem


def _outbox_key(db, subject):
    return db.session.scalar(select(OutboxMessage.idempotency_key).where(OutboxMessage.subject == subject))


@pytest.fixture
def stripe_order(make_order):
    return make_order(payment_method="stripe")


def test_create_payment_stripe_order_creates_intent_and_returns_client_secret(api, db, fake_stripe, stripe_order,
                                                                              people):
    # given
    buyer = people(stripe_order)["buyer"]
    # when
    resp = api.post(f"/orders/{stripe_order.id}/payments", buyer)
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "requires_payment" and body["amount_fen"] == stripe_order.total_fen
    assert body["client_secret"].startswith(body["stripe_payment_intent_id"])
    (request, _), = fake_stripe.log
    assert request.method == "POST" and request.path == "/v1/payment_intents"
    assert request.form["amount"] == str(stripe_order.total_fen) and request.form["currency"] == "cny"
    assert request.form["metadata[order_id]"] == str(stripe_order.id)
    assert request.form["metadata[order_number]"] == stripe_order.number
    assert request.headers["Idempotency-Key"] == _outbox_key(db, f"payment:{body['id']}")


def test_create_payment_twice_returns_the_open_payment_without_second_intent(api, db, fake_stripe, stripe_order,
                                                                            people):
    buyer = people(stripe_order)["buyer"]
    first = api.post(f"/orders/{stripe_order.id}/payments", buyer).get_json()
    second = api.post(f"/orders/{stripe_order.id}/payments", buyer).get_json()
    assert first["id"] == second["id"] and len(fake_stripe.log) == 1


def test_create_payment_after_injected_500_retries_same_key_one_intent(api, db, fake_stripe, stripe_order, people):
    # given: Stripe fails the first call with a 500
    fake_stripe.expect_oneshot_request("/v1/payment_intents", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "injected"}}, status=500)
    # when
    resp = api.post(f"/orders/{stripe_order.id}/payments", people(stripe_order)["buyer"])
    # then
    assert resp.status_code == 201, resp.get_json()
    keys = [request.headers["Idempotency-Key"] for request, _ in fake_stripe.log]
    assert keys == [_outbox_key(db, f"payment:{resp.get_json()['id']}")] * 2
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == stripe_order.id)) == 1


def test_create_payment_stripe_unreachable_gives_503_then_the_retry_makes_one_intent(api, app, db, fake_stripe,
                                                                                     stripe_order, people):
    # given: Stripe cannot be reached
    base, app.config["STRIPE_API_BASE"] = app.config["STRIPE_API_BASE"], "http://127.0.0.1:9"
    buyer = people(stripe_order)["buyer"]
    # when
    resp = api.post(f"/orders/{stripe_order.id}/payments", buyer, headers={"Idempotency-Key": "k-down"})
    # then: 503, but the intent to create it is saved with its key
    assert_problem(resp, 503)
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    # and: the retry (same client key) sends the same outbox key: one PaymentIntent
    app.config["STRIPE_API_BASE"] = base
    again = api.post(f"/orders/{stripe_order.id}/payments", buyer, headers={"Idempotency-Key": "k-down"})
    assert again.status_code == 201 and again.get_json()["client_secret"]
    assert len(fake_stripe.objects.created) == 1


def test_create_payment_without_stripe_key_gives_503(api, app, db, stripe_order, people):
    app.config["STRIPE_SECRET_KEY"] = None
    assert_problem(api.post(f"/orders/{stripe_order.id}/payments", people(stripe_order)["buyer"]), 503)


def test_create_payment_idempotency_key_replays_and_rejects_other_body(api, db, fake_stripe, stripe_order, people):
    buyer = people(stripe_order)["buyer"]
    url = f"/orders/{stripe_order.id}/payments"
    first = api.post(url, buyer, headers={"Idempotency-Key": "k-1"})
    again = api.post(url, buyer, headers={"Idempotency-Key": "k-1"})
    other = api.post(url, buyer, json={"note": "x"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert_problem(other, 422, field="Idempotency-Key")
    assert len(fake_stripe.log) == 1


def test_create_payment_bank_transfer_returns_the_open_row_without_stripe(api, db, fake_stripe, make_order, people):
    order = make_order(payment_method="bank_transfer")
    resp = api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["status"] == "requires_payment" and body["client_secret"] is None
    assert body["amount_fen"] == order.total_fen and fake_stripe.log == []
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id)) == 1


def test_create_payment_paid_order_gives_409_with_state(api, db, paid_order, people):
    body = assert_problem(api.post(f"/orders/{paid_order.id}/payments", people(paid_order)["buyer"]), 409)
    assert body["current_state"] == "paid"


def test_create_payment_cancelled_order_gives_409(api, db, stripe_order, people):
    stripe_order.status = "cancelled"
    db.session.commit()
    body = assert_problem(api.post(f"/orders/{stripe_order.id}/payments", people(stripe_order)["buyer"]), 409)
    assert body["current_state"] == "cancelled"


@pytest.mark.parametrize("who,status", [
    (None, 401), ("buyer", 201), ("approver", 201), ("other_buyer", 404), ("supplier", 403), ("admin", 403),
    ("auditor", 403)])
def test_create_payment_role_matrix(api, db, fake_stripe, stripe_order, people, who, status):
    user = people(stripe_order)[who] if who else None
    resp = api.post(f"/orders/{stripe_order.id}/payments", user)
    assert resp.status_code == status, resp.get_json()


@pytest.mark.parametrize("who,status", [
    (None, 401), ("buyer", 200), ("supplier", 200), ("admin", 200), ("auditor", 200), ("other_buyer", 404),
    ("other_supplier", 404), ("far_admin", 404)])
def test_list_payments_role_matrix(api, db, paid_order, people, who, status):
    user = people(paid_order)[who] if who else None
    resp = api.get(f"/orders/{paid_order.id}/payments", user)
    assert resp.status_code == status, resp.get_json()
    if status == 200:
        body = resp.get_json()
        assert body["total"] == 1 and body["items"][0]["status"] == "succeeded"
        assert "client_secret" not in body["items"][0]


def test_create_payment_unknown_order_gives_404(api, db, stripe_order, people):
    assert_problem(api.post("/orders/999999/payments", people(stripe_order)["buyer"]), 404)


def test_new_payment_after_a_failed_one_cancels_the_earlier_intent(api, db, fake_stripe, stripe_order, people,
                                                                   send_event):
    from tests.payments.stripe_fakes import intent_obj
    # given: the first PaymentIntent failed (it could still be paid later)
    buyer = people(stripe_order)["buyer"]
    first = api.post(f"/orders/{stripe_order.id}/payments", buyer).get_json()
    payment = db.session.get(Payment, first["id"])
    send_event("payment_intent.payment_failed", intent_obj(payment, status="requires_payment_method"))
    # when: the buyer starts again
    second = api.post(f"/orders/{stripe_order.id}/payments", buyer)
    # then: a new intent, and the earlier one cancelled at Stripe, once
    assert second.status_code == 201 and second.get_json()["id"] != first["id"]
    cancels = [r.path for r, _ in fake_stripe.log if r.path.endswith("/cancel")]
    assert cancels == [f"/v1/payment_intents/{first['stripe_payment_intent_id']}/cancel"]


def test_a_second_successful_charge_is_refunded_automatically_and_booked(api, db, fake_stripe, stripe_order,
                                                                        people, send_event):
    from marketplace.ledger.models import JournalEntry
    from marketplace.payments.models import Refund
    from tests.payments.stripe_fakes import intent_obj
    # given: the first intent failed, a second one paid the order
    buyer = people(stripe_order)["buyer"]
    first = db.session.get(Payment, api.post(f"/orders/{stripe_order.id}/payments", buyer).get_json()["id"])
    send_event("payment_intent.payment_failed", intent_obj(first, status="requires_payment_method"))
    second = db.session.get(Payment, api.post(f"/orders/{stripe_order.id}/payments", buyer).get_json()["id"])
    assert send_event("payment_intent.succeeded", intent_obj(second)).get_json()["outcome"] == "succeeded"
    # when: the first is paid anyway (the buyer paid before the cancel reached Stripe)
    resp = send_event("payment_intent.succeeded", intent_obj(first))
    # then: it is refunded whole through Stripe, and booked; the order stays paid by the second
    assert resp.get_json()["outcome"] == "duplicate_payment_refunded"
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == first.id))
    assert refund.amount_fen == first.amount_fen and refund.status == "pending" and refund.stripe_refund_id
    refunds_sent = [r for r, _ in fake_stripe.log if r.path == "/v1/refunds"]
    assert [r.form["payment_intent"] for r in refunds_sent] == [first.stripe_payment_intent_id]
    assert first.status == "refunded" and stripe_order.payment_status == "paid"
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.payment_id == first.id)) == 2
