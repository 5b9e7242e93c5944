"""Refunds reverse attribution in proportion to what each recipient still holds, exactly."""
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.catalog.models import AttributionScheme
from marketplace.core.db import utcnow
from marketplace.core.errors import Unprocessable
from marketplace.ledger.models import INCOME_KINDS, JournalEntry, LedgerAccount, Posting
from marketplace.ledger.services import check_ledger, post_refund, post_refund_paid
from marketplace.payments.models import Refund, RefundLine
from tests.factories import DEFAULT_VILLAGE


def per_account(db, order_line_id=None):
    stmt = (select(LedgerAccount.kind, LedgerAccount.id, func.sum(Posting.amount_fen))
            .join(Posting, Posting.account_id == LedgerAccount.id).group_by(LedgerAccount.kind, LedgerAccount.id))
    if order_line_id is not None:
        stmt = stmt.where(Posting.order_line_id == order_line_id)
    return {(k, a): int(s) for k, a, s in db.session.execute(stmt)}


@pytest.fixture
def village_case(db, make_org, make_product, make_sku, make_household, make_member, make_supply_record):
    """A product with all four buckets populated; returns a factory of SKUs at a given price."""
    coop = make_org(kind="cooperative")
    make_org(kind="collective", region_code=DEFAULT_VILLAGE)
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    db.session.add(AttributionScheme(product_id=product.id, supplier_id=coop.id, version=1,
                                     households_by_supply_bp=5500, households_by_shares_bp=2500, collective_bp=700,
                                     supplier_bp=1300, supply_lookback_days=365,
                                     created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    for quantity in (7, 11, 13):
        make_supply_record(coop, make_household(), product, quantity=quantity)
    for shares in (3, 5):
        make_member(coop, make_household(), shares=shares)
    return lambda price_fen: make_sku(product=product, price_fen=price_fen, stock=10**6)


def test_partial_refund_debits_recipients_proportionally_never_credits(db, village_case, ledger_order, pay_order,
                                                                       refund_lines):
    # given: a line of 7 x 1001 fen, paid
    order = ledger_order([(village_case(1001), 7)])
    payment = pay_order(order)
    line = order.lines[0]
    before = per_account(db, line.id)
    # when: 3 of 7 units refunded
    refund_lines(payment, [(line, 3)])
    # then
    postings = db.session.execute(select(Posting.amount_fen, LedgerAccount.kind).join(JournalEntry)
                                  .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
                                  .where(JournalEntry.kind == "refund_attribution")).all()
    assert all(amount > 0 for amount, kind in postings if kind in INCOME_KINDS)
    assert sum(amount for amount, kind in postings if kind in INCOME_KINDS) == 3003
    after = per_account(db, line.id)
    for key, held in before.items():
        if key[0] in INCOME_KINDS:
            reversed_part = after[key] - held
            assert 0 <= reversed_part <= -held
            # within one fen of the exact 3/7 of what it held
            assert abs(reversed_part * 7 - (-held) * 3) < 7
    assert check_ledger() == []


def test_full_refund_in_two_steps_nets_every_account_to_zero(db, village_case, ledger_order, pay_order, refund_lines):
    # given
    order = ledger_order([(village_case(997), 5), (village_case(13), 2)])
    payment = pay_order(order)
    first, second = order.lines
    # when
    refund_lines(payment, [(first, 2)])
    refund_lines(payment, [(first, 3), (second, 2)])
    # then: every recipient and the clearing account back to zero; the buyer is owed the total
    balances = per_account(db)
    for (kind, _), amount in balances.items():
        if kind in INCOME_KINDS or kind == "order_clearing":
            assert amount == 0, kind
    assert balances[next(k for k in balances if k[0] == "refunds_payable")] == -(997 * 5 + 13 * 2)
    assert check_ledger() == []


def test_refund_paid_moves_payable_to_cash(db, village_case, ledger_order, pay_order, refund_lines):
    order = ledger_order([(village_case(500), 2)])
    payment = pay_order(order)
    refund = refund_lines(payment, [(order.lines[0], 2)])
    post_refund_paid(refund)
    post_refund_paid(refund)  # idempotent
    db.session.commit()
    balances = per_account(db)
    assert {k[0]: v for k, v in balances.items() if k[0] in ("platform_cash", "refunds_payable")} == \
        {"platform_cash": 0, "refunds_payable": 0}
    assert check_ledger() == []


def test_post_refund_twice_posts_once(db, village_case, ledger_order, pay_order, refund_lines):
    order = ledger_order([(village_case(100), 3)])
    payment = pay_order(order)
    refund = refund_lines(payment, [(order.lines[0], 1)])
    count = db.session.scalar(select(func.count()).select_from(Posting))
    post_refund(refund)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Posting)) == count
    assert check_ledger() == []


def test_refund_above_attributed_is_refused(db, village_case, ledger_order, pay_order, refund_lines):
    # given: the line is fully refunded already
    order = ledger_order([(village_case(100), 1)])
    payment = pay_order(order)
    line = order.lines[0]
    refund_lines(payment, [(line, 1)])
    # when: a second refund of the same unit (bypassing the payments service's own check)
    refund = Refund(payment_id=payment.id, order_id=order.id, reason="again", status="pending", amount_fen=100)
    refund.lines.append(RefundLine(order_line_id=line.id, quantity=1, amount_fen=100))
    db.session.add(refund)
    db.session.flush()
    # then
    with pytest.raises(Unprocessable):
        post_refund(refund)
    db.session.rollback()
    assert check_ledger() == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=st.integers(1, 10**7), steps=st.lists(st.integers(1, 4), min_size=1, max_size=6))
def test_refund_sequences_never_overdraw_and_full_refund_nets_zero(db, village_case, ledger_order, pay_order,
                                                                   refund_lines, price, steps):
    # given: a line with as many units as the steps ask for in total
    quantity = sum(steps)
    order = ledger_order([(village_case(price), quantity)])
    payment = pay_order(order)
    line = order.lines[0]
    # when: refunds of `step` units each, until everything is refunded
    for step in steps:
        before = per_account(db, line.id)
        refund_lines(payment, [(line, step)])
        after = per_account(db, line.id)
        # then, at every step: no recipient credited, none beyond zero
        for key, held in after.items():
            if key[0] in INCOME_KINDS:
                assert held <= 0
                assert held >= before[key]
    assert all(v == 0 for k, v in per_account(db, line.id).items())
    assert check_ledger() == []
