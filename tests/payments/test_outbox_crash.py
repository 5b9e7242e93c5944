"""Money moves once: a crash at any step of a refund or a PaymentIntent creation leaves exactly one
Stripe object per intent (the outbox key is Stripe's Idempotency-Key), and the ledger balances."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.db import utcnow
from marketplace.outbox import dispatch
from marketplace.outbox.models import OutboxMessage
from marketplace.payments import outbox_handlers
from marketplace.payments import services as payment_services
from marketplace.payments.models import Payment, Refund
from tests.payments.stripe_fakes import intent_obj


class Killed(BaseException):
    """The worker dies here (not an Exception: nothing in the app may catch it)."""


def _die(*args, **kwargs):
    raise Killed()


def _later():
    return utcnow() + timedelta(seconds=dispatch.LEASE_SECONDS + 1)


@pytest.fixture
def stripe_paid_order(api, db, fake_stripe, make_order, people, send_event):
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", people(order)["buyer"]).get_json()["id"])
    assert send_event("payment_intent.succeeded", intent_obj(payment)).get_json()["outcome"] == "succeeded"
    return order


def _request_refund(db, order, admin, quantity=1):
    """The business transaction only: the refund and its outbox message, committed, nothing sent."""
    refund = payment_services.create_refund(actor=admin, order_id=order.id, data={
        "lines": [{"line_id": order.lines[0].id, "quantity": quantity}], "reason": "坏了"})
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject == f"refund:{refund.id}"))
    db.session.commit()
    return refund.id, message.id


def _refund_objects(fake_stripe):
    return [o for o in fake_stripe.objects.created if o["object"] == "refund"]


def test_crash_after_commit_before_dispatch_outbox_run_sends_it_once(app, db, fake_stripe, stripe_paid_order,
                                                                    make_user):
    # given: the refund committed, the worker died before dispatching it
    refund_id, _ = _request_refund(db, stripe_paid_order, make_user(role="admin"))
    assert _refund_objects(fake_stripe) == []
    # when: `flask outbox run`, twice
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "run"]).exit_code == 0
    assert runner.invoke(args=["outbox", "run"]).exit_code == 0
    # then: one Stripe refund, recorded
    db.session.expire_all()
    (made,) = _refund_objects(fake_stripe)
    refund = db.session.get(Refund, refund_id)
    assert refund.stripe_refund_id == made["id"] and refund.status == "pending"


@pytest.mark.parametrize("step", ["send", "apply"])
def test_crash_between_steps_of_a_refund_makes_one_stripe_refund(db, fake_stripe, stripe_paid_order, make_user,
                                                                 monkeypatch, step):
    # given: the worker dies before Stripe is called ("send") or after Stripe accepted, before our commit ("apply")
    refund_id, message_id = _request_refund(db, stripe_paid_order, make_user(role="admin"))
    with monkeypatch.context() as patch:
        patch.setitem(outbox_handlers.HANDLERS["create_refund"], step, _die)
        with pytest.raises(Killed):
            dispatch.dispatch_pending([message_id])
    db.session.rollback()
    # when: the lease runs out and the dispatcher retries (a retry before then leaves it alone)
    assert dispatch.run_due() == 0
    assert dispatch.run_due(now=_later()) == 1
    # then: exactly one Stripe refund, every request with the same key
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == "sent" and message.attempts == 2
    keys = {request.headers["Idempotency-Key"] for request, _ in fake_stripe.log if request.path == "/v1/refunds"}
    assert keys == {message.idempotency_key}
    (made,) = _refund_objects(fake_stripe)
    assert db.session.get(Refund, refund_id).stripe_refund_id == made["id"]


def test_crash_after_stripe_accepted_then_client_retry_with_same_key_refunds_once(api, db, fake_stripe,
                                                                                  stripe_paid_order, people,
                                                                                  monkeypatch):
    # given: Stripe accepts the refund, the worker dies before recording it
    order = stripe_paid_order
    admin = people(order)["admin"]
    body = {"lines": [{"line_id": order.lines[0].id, "quantity": 1}], "reason": "坏了"}
    monkeypatch.setitem(outbox_handlers.HANDLERS["create_refund"], "apply", _die)
    with pytest.raises(Killed):
        api.post(f"/orders/{order.id}/refunds", admin, json=body, headers={"Idempotency-Key": "r-crash"})
    db.session.rollback()
    monkeypatch.undo()
    # when: the client retries with its key, then the dispatcher runs
    again = api.post(f"/orders/{order.id}/refunds", admin, json=body, headers={"Idempotency-Key": "r-crash"})
    dispatch.run_due(now=_later())
    # then: one refund row, one Stripe refund
    assert again.status_code == 201, again.get_json()
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert len(_refund_objects(fake_stripe)) == 1


@pytest.mark.parametrize("step", ["send", "apply"])
def test_crash_during_payment_intent_creation_makes_one_intent(api, db, fake_stripe, make_order, people,
                                                               monkeypatch, step):
    # given: the worker dies before or after Stripe made the PaymentIntent
    order = make_order(payment_method="stripe")
    buyer = people(order)["buyer"]
    with monkeypatch.context() as patch:
        patch.setitem(outbox_handlers.HANDLERS["create_payment_intent"], step, _die)
        with pytest.raises(Killed):
            api.post(f"/orders/{order.id}/payments", buyer)
    db.session.rollback()
    # when: the buyer asks again
    resp = api.post(f"/orders/{order.id}/payments", buyer)
    # then: the same payment, one PaymentIntent, its secret returned
    assert resp.status_code == 201, resp.get_json()
    intents = [o for o in fake_stripe.objects.created if o["object"] == "payment_intent"]
    assert len(intents) == 1 and resp.get_json()["stripe_payment_intent_id"] == intents[0]["id"]
    assert resp.get_json()["client_secret"] == intents[0]["client_secret"]
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_dispatch_retries_with_exponential_backoff_then_fails_for_good(app, db, stripe_paid_order, make_user):
    # given: Stripe cannot be reached
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    refund_id, message_id = _request_refund(db, stripe_paid_order, make_user(role="admin"))
    now = utcnow()
    waits = []
    for _ in range(dispatch.MAX_ATTEMPTS):
        assert dispatch.run_due(now=now) == 1
        message = db.session.get(OutboxMessage, message_id)
        if message.status == "pending":
            waits.append(round((message.next_attempt_at - utcnow()).total_seconds()))
            now = message.next_attempt_at
    # then: waits double, and after the last attempt the refund failed and was undone
    assert waits[:3] == [2, 4, 8] and len(waits) == dispatch.MAX_ATTEMPTS - 1
    assert message.status == "failed" and "ServiceUnavailable" in message.last_error
    db.session.expire_all()
    assert db.session.get(Refund, refund_id).status == "failed"
    assert stripe_paid_order.payment_status == "paid" and stripe_paid_order.lines[0].refunded_quantity == 0
