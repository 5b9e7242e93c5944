"""Postings carry the business date: a payment at its value date (paid_at), a refund at the refund's date."""
from datetime import timedelta

from sqlalchemy import select

from marketplace.core.clock import day_start_utc, today_local
from marketplace.ledger.models import JournalEntry, Posting
from marketplace.payments.models import Payment, Refund
from marketplace.payments.services import open_payment_for_order
from tests.payments.stripe_fakes import intent_obj


def _dates(db, **where):
    entries = db.session.scalars(select(JournalEntry).filter_by(**where)).all()
    postings = db.session.scalars(select(Posting).where(Posting.entry_id.in_([e.id for e in entries]))).all()
    return entries, {e.created_at for e in entries} | {p.created_at for p in postings}


def test_transfer_postings_are_dated_at_the_value_date_not_the_confirmation(api, db, make_order, people):
    # given: an order placed 40 days ago whose transfer arrived the day after
    order = make_order(payment_method="bank_transfer")
    order.placed_at -= timedelta(days=40)
    order.pay_by = order.placed_at + timedelta(days=7)
    payment = open_payment_for_order(actor=None, order=order)
    db.session.commit()
    received_on = today_local() - timedelta(days=39)
    # when: confirmed today
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"], json={
        "amount_fen": payment.amount_fen, "bank_reference": "ICBC-DATED", "received_on": received_on.isoformat()})
    # then: the payment and every attribution (entries and postings) are dated at the value date
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    entries, dates = _dates(db, payment_id=payment.id)
    assert {e.kind for e in entries} == {"payment", "attribution"}
    assert dates == {day_start_utc(received_on)} == {order.paid_at}


def test_stripe_postings_are_dated_at_the_success(api, db, fake_stripe, make_order, people, send_event):
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", people(order)["buyer"]).get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    db.session.expire_all()
    entries, dates = _dates(db, payment_id=payment.id)
    assert entries and dates == {payment.succeeded_at} == {order.paid_at}


def test_refund_postings_are_dated_at_the_refund(api, db, make_paid_order, people):
    order = make_paid_order()
    line = order.lines[0]
    resp = api.post(f"/orders/{order.id}/refunds", people(order)["supplier"],
                    json={"lines": [{"line_id": line.id, "quantity": 1}], "reason": "质量问题"})
    assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    refund = db.session.get(Refund, resp.get_json()["id"])
    entries, dates = _dates(db, refund_id=refund.id)
    assert {e.kind for e in entries} == {"refund", "refund_attribution"}  # a bank refund waits to be paid out
    assert dates == {refund.created_at}
