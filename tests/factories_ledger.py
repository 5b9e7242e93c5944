"""Factory fixtures for the ledger (owned by that domain).

* ``pay_order(order, succeeded_at=None)``: marks an order paid WITHOUT the payments module: a succeeded
  Payment of ``order.total_fen``, the order ``paid``, ``post_payment_success`` called, committed.
* ``ledger_order(lines=[(sku, quantity), ...], buyer_org=None)``: an order built straight from the
  models (no orders service), one fulfilment per supplier, status ``placed``; for ledger tests.
* ``ledger_invariants``: use (e.g. autouse in a local conftest) to assert ``check_ledger() == []``
  after the test.
"""
import itertools
from datetime import timedelta

import pytest

from marketplace.core.db import utcnow
from marketplace.ledger.services import check_ledger, post_payment_success
from marketplace.orders.models import Fulfilment, Order, OrderLine
from marketplace.payments.models import Payment

_seq = itertools.count(1)


@pytest.fixture
def pay_order(db):
    def pay(order, succeeded_at=None):
        now = succeeded_at or utcnow()
        payment = Payment(order_id=order.id, method=order.payment_method, status="succeeded",
                          amount_fen=order.total_fen, succeeded_at=now)
        db.session.add(payment)
        order.payment_status = "paid"
        order.paid_at = now
        db.session.flush()
        post_payment_success(payment)
        db.session.commit()
        return payment
    return pay


@pytest.fixture
def ledger_order(db, make_org, make_user):
    def make(lines, buyer_org=None, payment_method="bank_transfer"):
        n = next(_seq)
        buyer_org = buyer_org or make_org(kind="canteen")
        placer = make_user(role="buyer_purchaser", org=buyer_org)
        total = sum(sku.price_fen * quantity for sku, quantity in lines)
        order = Order(number=f"PO-L-{n:06d}", buyer_org_id=buyer_org.id, buyer_region_code=buyer_org.region_code,
                      buyer_kind=buyer_org.kind, placed_by_id=placer.id, status="placed",
                      payment_method=payment_method, payment_status="unpaid", total_fen=total,
                      delivery={"address": "食堂"}, pay_by=utcnow() + timedelta(days=7))
        db.session.add(order)
        db.session.flush()
        fulfilments = {}
        for sku, quantity in lines:
            product = sku.product
            supplier = product.supplier
            if supplier.id not in fulfilments:
                fulfilments[supplier.id] = Fulfilment(order_id=order.id, supplier_id=supplier.id)
                db.session.add(fulfilments[supplier.id])
                db.session.flush()
            db.session.add(OrderLine(
                order_id=order.id, fulfilment_id=fulfilments[supplier.id].id, sku_id=sku.id, product_id=product.id,
                supplier_id=supplier.id, quantity=quantity, unit_price_fen=sku.price_fen,
                amount_fen=sku.price_fen * quantity, product_name=product.name, sku_name=sku.name, unit=sku.unit,
                supplier_name=supplier.name, category=product.category,
                origin_region_code=product.origin_region_code))
        db.session.commit()
        db.session.refresh(order)
        return order
    return make


@pytest.fixture
def ledger_invariants(db):
    yield
    db.session.rollback()
    assert check_ledger() == []


@pytest.fixture
def refund_lines(db):
    """``refund_lines(payment, [(line, quantity), ...])``: a Refund straight from the models (no payments
    service): lines' refunded counters updated, ``post_refund`` called, committed."""
    from marketplace.ledger.services import post_refund
    from marketplace.payments.models import Refund, RefundLine

    def make(payment, items, reason="退货"):
        refund = Refund(payment_id=payment.id, order_id=payment.order_id, reason=reason, status="pending",
                        amount_fen=sum(line.unit_price_fen * q for line, q in items))
        for line, quantity in items:
            refund.lines.append(RefundLine(order_line_id=line.id, quantity=quantity,
                                           amount_fen=line.unit_price_fen * quantity))
            line.refunded_quantity += quantity
            line.refunded_fen += line.unit_price_fen * quantity
        db.session.add(refund)
        db.session.flush()
        post_refund(refund)
        db.session.commit()
        return refund
    return make
