"""Refund states requested → pending → succeeded | failed | cancelled: a refund whose money never
left is undone exactly (households credited back, quantities freed) and the order can be refunded again."""
import pytest
from sqlalchemy import func, select

from marketplace.ledger.models import JournalEntry, Posting
from marketplace.ledger.services import check_ledger
from marketplace.payments.models import Payment, Refund
from tests.payments.stripe_fakes import intent_obj


def _balances(db):
    return dict(db.session.execute(select(Posting.account_id, func.sum(Posting.amount_fen))
                                   .group_by(Posting.account_id)).all())


def _nonzero(balances):
    return {a: s for a, s in balances.items() if s}


@pytest.fixture
def stripe_paid(api, db, fake_stripe, make_order, people, send_event):
    order = make_order(payment_method="stripe")
    who = people(order)
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", who["buyer"]).get_json()["id"])
    assert send_event("payment_intent.succeeded", intent_obj(payment)).get_json()["outcome"] == "succeeded"
    return order, payment, who


def _refund(api, order, user, quantity=1):
    return api.post(f"/orders/{order.id}/refunds", user, json={
        "lines": [{"line_id": order.lines[0].id, "quantity": quantity}], "reason": "退货"})


def _refund_event(refund_body, payment, status, metadata=True):
    obj = {"id": refund_body["stripe_refund_id"], "object": "refund", "amount": refund_body["amount_fen"],
           "payment_intent": payment.stripe_payment_intent_id, "status": status}
    if metadata:
        obj["metadata"] = {"refund_id": str(refund_body["id"])}
    return obj


def _assert_undone(db, order, before, refund_id):
    db.session.expire_all()
    assert db.session.get(Refund, refund_id).status in ("failed", "cancelled")
    assert order.payment_status == "paid" and order.lines[0].refunded_quantity == 0
    assert order.lines[0].refunded_fen == 0
    assert _nonzero(_balances(db)) == _nonzero(before)


def test_refund_that_stripe_answers_failed_is_undone_and_can_be_refunded_again(api, db, fake_stripe, stripe_paid):
    # given
    order, _, who = stripe_paid
    before = _balances(db)
    fake_stripe.refund_status = "failed"
    # when
    resp = _refund(api, order, who["admin"])
    # then: failed, households and suppliers credited back exactly, quantities freed
    assert resp.status_code == 201 and resp.get_json()["status"] == "failed"
    _assert_undone(db, order, before, resp.get_json()["id"])
    # and: a new refund goes through
    fake_stripe.refund_status = "pending"
    assert _refund(api, order, who["admin"], quantity=order.lines[0].quantity).status_code == 201
    db.session.expire_all()
    assert order.payment_status in ("refunded", "partially_refunded")


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
@pytest.mark.parametrize("stripe_status", ["failed", "canceled"])
def test_refund_updated_to_failed_or_canceled_undoes_the_refund(api, db, stripe_paid, send_event, event_type,
                                                               stripe_status):
    order, payment, who = stripe_paid
    before = _balances(db)
    body = _refund(api, order, who["admin"]).get_json()
    assert body["status"] == "pending"
    resp = send_event(event_type, _refund_event(body, payment, stripe_status))
    assert resp.get_json()["outcome"] == f"refund_{'failed' if stripe_status == 'failed' else 'cancelled'}"
    _assert_undone(db, order, before, body["id"])
    # a replay changes nothing
    assert send_event(event_type, _refund_event(body, payment, stripe_status)).get_json()["outcome"] \
        == "refund_unchanged"


def test_refund_updated_succeeded_books_the_payout_once(api, db, stripe_paid, send_event):
    order, payment, who = stripe_paid
    body = _refund(api, order, who["admin"]).get_json()
    assert send_event("refund.updated", _refund_event(body, payment, "succeeded")).get_json()["outcome"] \
        == "refund_succeeded"
    assert send_event("refund.updated", _refund_event(body, payment, "succeeded")).get_json()["outcome"] \
        == "refund_unchanged"
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(
        JournalEntry.refund_id == body["id"], JournalEntry.kind == "refund_paid")) == 1


def test_refund_that_fails_after_succeeding_is_undone_with_its_payout(api, db, stripe_paid, send_event):
    order, payment, who = stripe_paid
    before = _balances(db)
    body = _refund(api, order, who["admin"]).get_json()
    send_event("refund.updated", _refund_event(body, payment, "succeeded"))
    assert send_event("charge.refund.updated", _refund_event(body, payment, "failed")).get_json()["outcome"] \
        == "refund_failed"
    _assert_undone(db, order, before, body["id"])


def test_stripe_refusing_the_refund_for_good_fails_and_undoes_it(api, db, fake_stripe, stripe_paid):
    order, _, who = stripe_paid
    before = _balances(db)
    fake_stripe.expect_oneshot_request("/v1/refunds", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "charge already refunded"}}, status=400)
    resp = _refund(api, order, who["admin"])
    assert resp.status_code == 201 and resp.get_json()["status"] == "failed"
    _assert_undone(db, order, before, resp.get_json()["id"])


def test_webhook_finds_a_refund_the_dispatcher_did_not_record_by_its_metadata(app, api, db, stripe_paid,
                                                                              send_event):
    # given: the refund was sent, but its Stripe id never recorded (dispatch off here)
    order, payment, who = stripe_paid
    app.config["OUTBOX_DISPATCH_INLINE"] = False
    from marketplace.payments import services
    refund = services.create_refund(actor=who["admin"], order_id=order.id,
                                    data={"lines": [{"line_id": order.lines[0].id, "quantity": 1}], "reason": "x"})
    db.session.commit()
    body = {"id": refund.id, "stripe_refund_id": "re_seen_by_webhook_only", "amount_fen": refund.amount_fen}
    # when
    resp = send_event("refund.updated", _refund_event(body, payment, "succeeded"))
    # then
    assert resp.get_json()["outcome"] == "refund_succeeded"
    db.session.expire_all()
    assert refund.stripe_refund_id == "re_seen_by_webhook_only" and refund.status == "succeeded"


def test_ledger_check_finds_refund_states_without_matching_postings(db, paid_order, make_user):
    # given: a bank refund (reversal posted), then its status forced to failed; a succeeded refund never posted
    from marketplace.payments import services
    admin = make_user(role="admin")
    refund = services.create_refund(actor=admin, order_id=paid_order.id, data={
        "lines": [{"line_id": paid_order.lines[0].id, "quantity": 1}], "reason": "x"})
    refund.status = "failed"
    ghost = Refund(payment_id=refund.payment_id, order_id=paid_order.id, amount_fen=1, reason="x", status="succeeded")
    db.session.add(ghost)
    db.session.flush()
    # then
    breaches = check_ledger()
    assert f"refund {refund.id}: failed but its reversal is still standing" in breaches
    assert f"refund {ghost.id}: succeeded but its reversal is missing" in breaches
    db.session.rollback()


def test_ledger_check_finds_two_unrefunded_charges_on_one_order(db, paid_order):
    first = db.session.scalar(select(Payment).where(Payment.order_id == paid_order.id))
    db.session.add(Payment(order_id=paid_order.id, method="stripe", status="succeeded",
                           amount_fen=first.amount_fen, refunded_fen=0, currency="cny"))
    db.session.flush()
    assert f"order {paid_order.id}: 2 successful charges not refunded (at most one may stand)" in check_ledger()
    db.session.rollback()


def test_a_failed_refund_next_to_a_standing_one_leaves_the_order_partially_refunded(api, db, fake_stripe,
                                                                                   make_order, make_sku, people,
                                                                                   send_event):
    # given: a paid Stripe order of 3 × 1000 fen and two pending refunds of 1 unit each
    order = make_order(payment_method="stripe", lines=[(make_sku(price_fen=1000), 3)])
    who = people(order)
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", who["buyer"]).get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    first = _refund(api, order, who["admin"]).get_json()
    second = _refund(api, order, who["admin"]).get_json()
    assert (first["status"], second["status"]) == ("pending", "pending")
    # when: Stripe reports the second failed
    assert send_event("refund.updated", _refund_event(second, payment, "failed")).get_json()["outcome"] \
        == "refund_failed"
    # then: only the first stands: 1 unit, 1000 fen; payment and order partially refunded
    db.session.expire_all()
    assert (payment.status, payment.refunded_fen) == ("partially_refunded", 1000)
    assert order.payment_status == "partially_refunded"
    assert (order.lines[0].refunded_quantity, order.lines[0].refunded_fen) == (1, 1000)
