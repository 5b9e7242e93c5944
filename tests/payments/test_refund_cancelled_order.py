"""refund_cancelled_order: what a cancelled, paid order still holds is refunded, by whom, with what reason."""
import pytest

from marketplace.payments import services


@pytest.fixture
def order(make_paid_order, make_sku):
    """A paid bank-transfer order: line 0 = 5 × 1000 fen, line 1 = 3 × 333 fen (5999 fen)."""
    return make_paid_order(lines=[(make_sku(price_fen=1000), 5), (make_sku(price_fen=333), 3)])


def _refund_first(order, admin):
    line0, line1 = order.lines
    return services.create_refund(actor=admin, order_id=order.id, data={
        "lines": [{"line_id": line0.id, "quantity": 2}, {"line_id": line1.id, "quantity": 3}], "reason": "质量问题"})


def test_cancel_refund_after_a_partial_refund_takes_only_what_is_left(db, order, make_user):
    # given: 2 of line 0 (2000 fen) and all of line 1 (999 fen) already refunded
    admin = make_user(role="admin")
    first = _refund_first(order, admin)
    assert first.amount_fen == 2000 + 999
    order.status, order.cancel_reason = "cancelled", "预算取消"
    # when
    refund = services.refund_cancelled_order(actor=admin, order=order)
    db.session.commit()
    # then: only line 0's last 3 units (3 × 1000 = 3000 fen); line 1 has nothing left, no line for it
    line0 = order.lines[0]
    assert [(rl.order_line_id, rl.quantity, rl.amount_fen) for rl in refund.lines] == [(line0.id, 3, 3000)]
    assert refund.amount_fen == 3000
    assert refund.payment.refunded_fen == 5999 and refund.payment.status == "refunded"
    assert order.payment_status == "refunded"
    assert refund.reason == "order cancelled: 预算取消"


def test_cancel_refund_without_a_cancel_reason_is_made_by_the_given_actor(db, order, make_user):
    # given: a paid order cancelled without a reason
    admin = make_user(role="admin")
    order.status, order.cancel_reason = "cancelled", None
    # when
    refund = services.refund_cancelled_order(actor=admin, order=order)
    db.session.commit()
    # then
    assert refund.reason == "order cancelled:"
    assert refund.created_by_id == admin.id
    assert refund.amount_fen == 5 * 1000 + 3 * 333
