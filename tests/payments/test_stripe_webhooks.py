"""POST /webhooks/stripe: signed with the real library's helper; verified, processed once, audited."""
import threading
import time

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.audit.models import AuditEvent
from marketplace.ledger.models import JournalEntry
from marketplace.payments.models import Payment, StripeEvent
from tests.helpers import assert_problem
from tests.payments.stripe_fakes import event_body, intent_obj, sign


@pytest.fixture
def open_stripe_payment(api, db, fake_stripe, make_order, people):
    """(order, payment) with a PaymentIntent created through the API."""
    order = make_order(payment_method="stripe")
    resp = api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
    assert resp.status_code == 201, resp.get_json()
    return order, db.session.get(Payment, resp.get_json()["id"])


def _entries(db, payment):
    return db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.payment_id == payment.id))


def _events(db):
    return db.session.scalar(select(func.count(StripeEvent.id)))


def test_webhook_succeeded_marks_paid_and_posts(db, open_stripe_payment, send_event):
    # given
    order, payment = open_stripe_payment
    # when
    resp = send_event("payment_intent.succeeded", intent_obj(payment))
    # then
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "succeeded"
    db.session.expire_all()
    assert payment.status == "succeeded" and order.payment_status == "paid" and order.paid_at
    assert _entries(db, payment) > 0


@pytest.mark.parametrize("case", ["tampered", "missing", "stale_301s", "future_301s", "wrong_secret", "garbage"])
def test_webhook_bad_signature_gives_400_and_writes_nothing(db, open_stripe_payment, send_event, case):
    order, payment = open_stripe_payment
    now = int(time.time())
    kwargs = {
        "tampered": {"tamper": True},
        "missing": {"header": None},
        "stale_301s": {"timestamp": now - 301},
        "future_301s": {"timestamp": now + 301},
        "wrong_secret": {"header": sign(event_body("x", {}), secret="whsec_other")},
        "garbage": {"header": "t=abc,v1=zzz"},
    }[case]
    with time_machine.travel(now, tick=False):  # a slow machine must not move the 301 s edge
        resp = send_event("payment_intent.succeeded", intent_obj(payment), **kwargs)
    assert_problem(resp, 400)
    db.session.expire_all()
    assert payment.status == "requires_payment" and _events(db) == 0 and _entries(db, payment) == 0


@pytest.mark.parametrize("offset", [-300, 300], ids=["stale_300s", "future_300s"])
def test_webhook_signature_timestamp_within_tolerance_is_accepted(db, open_stripe_payment, send_event, offset):
    order, payment = open_stripe_payment
    now = int(time.time())
    with time_machine.travel(now, tick=False):
        resp = send_event("payment_intent.succeeded", intent_obj(payment), timestamp=now + offset)
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "succeeded"


def test_webhook_without_secret_configured_gives_503(app, db, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    assert_problem(send_event("payment_intent.succeeded", intent_obj(payment)), 503)


def test_webhook_redelivered_event_posts_once(db, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    first = send_event("payment_intent.succeeded", intent_obj(payment), event_id="evt_same")
    posted = _entries(db, payment)
    again = send_event("payment_intent.succeeded", intent_obj(payment), event_id="evt_same")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["outcome"] == "duplicate"
    assert _entries(db, payment) == posted and _events(db) == 1


def test_webhook_second_event_for_same_intent_posts_once(db, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    send_event("payment_intent.succeeded", intent_obj(payment))
    posted = _entries(db, payment)
    resp = send_event("payment_intent.succeeded", intent_obj(payment))
    assert resp.get_json()["outcome"] == "already_succeeded" and _entries(db, payment) == posted


def test_webhook_concurrent_redelivery_posts_once(app, db, open_stripe_payment):
    # given: the same signed delivery sent from several threads at once
    order, payment = open_stripe_payment
    payload = event_body("payment_intent.succeeded", intent_obj(payment), "evt_race")
    header = sign(payload)
    db.session.commit()  # end this session's transaction: on SQLite it holds the write lock
    barrier = threading.Barrier(4)
    statuses = []

    def deliver():
        client = app.test_client()
        barrier.wait()
        resp = client.post("/api/v1/webhooks/stripe", data=payload,
                           headers={"Stripe-Signature": header, "Content-Type": "application/json"})
        statuses.append((resp.status_code, resp.get_json().get("outcome")))

    # when
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(statuses) == sorted([(200, "succeeded")] + [(200, "duplicate")] * 3)
    db.session.expire_all()
    assert _events(db) == 1
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(
        JournalEntry.payment_id == payment.id, JournalEntry.kind == "payment")) == 1


@pytest.mark.parametrize("over", [{"amount": -1}, {"amount": 1}, {"currency": "usd"}],
                         ids=["underpaid_1_fen", "overpaid_1_fen", "other_currency"])
def test_webhook_amount_or_currency_mismatch_acknowledged_not_posted_audited(db, open_stripe_payment, send_event,
                                                                             over):
    order, payment = open_stripe_payment
    obj = intent_obj(payment, amount=payment.amount_fen + over.get("amount", 0),
                     currency=over.get("currency", "cny"))
    resp = send_event("payment_intent.succeeded", obj)
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "amount_mismatch"
    db.session.expire_all()
    assert payment.status == "requires_payment" and order.payment_status == "unpaid"
    assert _entries(db, payment) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.amount_mismatch",
                                                      AuditEvent.entity_id == str(payment.id)))


def test_webhook_late_failure_after_success_changes_nothing(db, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    send_event("payment_intent.succeeded", intent_obj(payment))
    posted = _entries(db, payment)
    resp = send_event("payment_intent.payment_failed", intent_obj(payment, status="requires_payment_method"))
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "ignored_late_failure"
    db.session.expire_all()
    assert payment.status == "succeeded" and order.payment_status == "paid" and _entries(db, payment) == posted


def test_webhook_failure_marks_open_payment_failed_then_new_payment_possible(api, db, open_stripe_payment,
                                                                            send_event, people):
    order, payment = open_stripe_payment
    resp = send_event("payment_intent.payment_failed", intent_obj(payment, status="requires_payment_method"))
    assert resp.get_json()["outcome"] == "failed"
    db.session.expire_all()
    assert payment.status == "failed" and order.payment_status == "unpaid"
    again = api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
    assert again.status_code == 201 and again.get_json()["id"] != payment.id


def test_webhook_unknown_type_and_unknown_intent_acknowledged(db, open_stripe_payment, send_event):
    assert send_event("customer.created", {"id": "cus_1"}).get_json()["outcome"] == "ignored"
    resp = send_event("payment_intent.succeeded", {"id": "pi_not_ours", "amount": 1, "currency": "cny"})
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "unknown_payment"


def test_webhook_succeeded_for_cancelled_order_refunds_in_full(db, fake_stripe, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    order.status = "cancelled"
    db.session.commit()
    resp = send_event("payment_intent.succeeded", intent_obj(payment))
    assert resp.get_json()["outcome"] == "succeeded_refunded_cancelled_order"
    db.session.expire_all()
    assert payment.status == "refunded" and order.payment_status == "refunded"
    assert [r.path for r, _ in fake_stripe.log] == ["/v1/payment_intents", "/v1/refunds"]


def test_webhook_processing_then_succeeded(db, open_stripe_payment, send_event):
    order, payment = open_stripe_payment
    assert send_event("payment_intent.processing", intent_obj(payment, status="processing")
                      ).get_json()["outcome"] == "processing"
    db.session.expire_all()
    assert payment.status == "processing"
    assert send_event("payment_intent.succeeded", intent_obj(payment)).get_json()["outcome"] == "succeeded"


@pytest.mark.parametrize("received,outcome", [(0, "succeeded"), (-1, "amount_mismatch"), (1, "amount_mismatch"),
                                              (None, "succeeded")],
                         ids=["received_exact", "received_1_fen_under", "received_1_fen_over", "received_absent"])
def test_webhook_amount_received_is_what_counts(db, open_stripe_payment, send_event, received, outcome):
    # given: "amount" (asked) always the amount due; "amount_received" what actually arrived (absent: "amount")
    order, payment = open_stripe_payment
    obj = dict(intent_obj(payment), amount_received=payment.amount_fen + (received or 0))
    if received is None:
        del obj["amount_received"]
    # when
    resp = send_event("payment_intent.succeeded", obj)
    # then
    assert resp.get_json()["outcome"] == outcome
    db.session.expire_all()
    assert order.payment_status == ("paid" if outcome == "succeeded" else "unpaid")
    assert _entries(db, payment) == (2 if outcome == "succeeded" else 0)  # payment + 1 line attribution
    if outcome == "succeeded":
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.succeeded"))
        assert event.after["source"] == "stripe_webhook"
    else:
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.amount_mismatch"))


def test_webhook_success_for_an_order_already_paid_otherwise_is_refunded_whole(db, fake_stripe, open_stripe_payment,
                                                                             send_event):
    # given: the order was meanwhile paid by another payment (a bank transfer)
    from marketplace.core.db import utcnow
    from marketplace.payments.models import Refund
    order, payment = open_stripe_payment
    db.session.add(Payment(order_id=order.id, method="bank_transfer", status="succeeded", currency="cny",
                           amount_fen=order.total_fen, refunded_fen=0, succeeded_at=utcnow()))
    order.payment_status = "paid"
    db.session.commit()
    # when
    resp = send_event("payment_intent.succeeded", intent_obj(payment))
    # then: the second charge is refunded whole (the order stays paid by the transfer), audited
    assert resp.get_json()["outcome"] == "duplicate_payment_refunded"
    db.session.expire_all()
    assert (payment.status, payment.refunded_fen) == ("refunded", payment.amount_fen)
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.amount_fen == payment.amount_fen == order.total_fen
    assert order.payment_status == "paid"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.duplicate_refunded",
                                                      AuditEvent.entity_id == str(payment.id)))
