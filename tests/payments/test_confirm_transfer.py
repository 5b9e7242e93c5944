"""POST /payments/{id}/confirm-transfer: an admin records a bank transfer for the amount due."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from marketplace.core.clock import today_local
from marketplace.ledger.models import JournalEntry
from marketplace.payments.models import Payment
from tests.helpers import assert_problem


@pytest.fixture
def transfer(db, make_order):
    """(order, open bank-transfer payment)."""
    from marketplace.payments.services import open_payment_for_order
    order = make_order(payment_method="bank_transfer")
    payment = open_payment_for_order(actor=None, order=order)
    db.session.commit()
    return order, payment


def _body(payment, **over):
    body = {"amount_fen": payment.amount_fen, "bank_reference": "ICBC-2025-0001",
            "received_on": today_local().isoformat()}
    body.update(over)
    return body


def test_confirm_transfer_exact_amount_pays_order_and_posts(api, db, transfer, people):
    # given
    order, payment = transfer
    admin = people(order)["admin"]
    # when
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", admin, json=_body(payment))
    # then
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "succeeded"
    db.session.expire_all()
    assert order.payment_status == "paid" and order.paid_at is not None
    assert db.session.scalars(select(JournalEntry).where(JournalEntry.payment_id == payment.id)).first()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.succeeded",
                                                      AuditEvent.entity_id == str(payment.id)))


@pytest.mark.parametrize("delta", [-1, 1], ids=["underpaid_1_fen", "overpaid_1_fen"])
def test_confirm_transfer_wrong_amount_gives_422_naming_amount(api, db, transfer, people, delta):
    order, payment = transfer
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                    json=_body(payment, amount_fen=payment.amount_fen + delta))
    assert_problem(resp, 422, field="amount_fen")
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "requires_payment"


@pytest.mark.parametrize("field,value", [
    ("amount_fen", "100"), ("amount_fen", 1.5), ("amount_fen", True), ("amount_fen", 10**30), ("amount_fen", 0),
    ("bank_reference", ""), ("bank_reference", "x" * 101), ("received_on", "2025-13-01"),
    ("received_on", (today_local() + timedelta(days=2)).isoformat())])
def test_confirm_transfer_bad_field_gives_422(api, db, transfer, people, field, value):
    order, payment = transfer
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                    json=_body(payment, **{field: value}))
    assert_problem(resp, 422, field=field)


def test_confirm_transfer_second_time_gives_409_current_state(api, db, transfer, people):
    order, payment = transfer
    admin = people(order)["admin"]
    assert api.post(f"/payments/{payment.id}/confirm-transfer", admin, json=_body(payment)).status_code == 200
    body = assert_problem(api.post(f"/payments/{payment.id}/confirm-transfer", admin, json=_body(payment)), 409)
    assert body["current_state"] == "succeeded"


def test_confirm_transfer_cancelled_order_gives_409(api, db, transfer, people):
    order, payment = transfer
    order.status = "cancelled"
    db.session.commit()
    body = assert_problem(api.post(f"/payments/{payment.id}/confirm-transfer", people(order)["admin"],
                                   json=_body(payment)), 409)
    assert body["current_state"] == "cancelled"


@pytest.mark.parametrize("who,status", [
    (None, 401), ("admin", 200), ("far_admin", 404), ("auditor", 403), ("buyer", 403), ("supplier", 403)])
def test_confirm_transfer_role_matrix(api, db, transfer, people, who, status):
    order, payment = transfer
    user = people(order)[who] if who else None
    resp = api.post(f"/payments/{payment.id}/confirm-transfer", user, json=_body(payment))
    assert resp.status_code == status, resp.get_json()


def test_confirm_transfer_unknown_payment_gives_404(api, db, transfer, people):
    order, payment = transfer
    assert_problem(api.post("/payments/999999/confirm-transfer", people(order)["admin"], json=_body(payment)), 404)
