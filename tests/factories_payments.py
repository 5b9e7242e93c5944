"""Factory fixtures for payments (owned by that domain)."""
import pytest

from marketplace.core.clock import today_local
from marketplace.payments import services as payment_services


@pytest.fixture
def make_paid_order(db, make_order, make_user):
    """Place an order via make_order (bank transfer by default) and confirm its transfer through the service."""
    def make(**kwargs):
        kwargs.setdefault("payment_method", "bank_transfer")
        order = make_order(**kwargs)
        admin = make_user(role="admin")
        payment = payment_services.open_payment_for_order(actor=admin, order=order)
        payment_services.confirm_transfer(actor=admin, payment_id=payment.id, data={
            "amount_fen": payment.amount_fen, "bank_reference": f"BANK-{order.id}", "received_on": today_local()})
        db.session.commit()
        return order
    return make


@pytest.fixture
def paid_order(make_paid_order):
    """A placed bank-transfer order whose transfer an admin has confirmed."""
    return make_paid_order()
