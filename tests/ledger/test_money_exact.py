"""Attribution boundaries to the fen: the supply look-back window's edge days (both ends)."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from marketplace.core.db import utcnow
from marketplace.ledger.models import LedgerAccount, Posting
from tests.ledger.test_ledger_posting import add_scheme

SHANGHAI = ZoneInfo("Asia/Shanghai")


def household_income(db):
    rows = db.session.execute(select(LedgerAccount.household_id, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind == "household_income").group_by(LedgerAccount.household_id))
    return {household_id: -int(total) for household_id, total in rows}


def test_supply_lookback_window_includes_its_edge_days_and_nothing_beyond(
        db, make_org, make_product, make_sku, make_household, make_supply_record, ledger_order, pay_order):
    # given: a 30-day look-back, everything to households by supply; the payment's Shanghai date D
    paid_at = utcnow()
    paid_date = paid_at.astimezone(SHANGHAI).date()
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    add_scheme(db, product, supply=10000, shares=0, collective=0, supplier=0, lookback=30)
    edge, beyond, same_day, next_day = (make_household() for _ in range(4))
    make_supply_record(coop, edge, product, quantity=1, supplied_on=paid_date - timedelta(days=30))
    make_supply_record(coop, beyond, product, quantity=500, supplied_on=paid_date - timedelta(days=31))
    make_supply_record(coop, same_day, product, quantity=2, supplied_on=paid_date)
    make_supply_record(coop, next_day, product, quantity=700, supplied_on=paid_date + timedelta(days=1))
    # when: 999 fen paid
    order = ledger_order([(make_sku(product=product, price_fen=999), 1)])
    pay_order(order, succeeded_at=paid_at)
    # then: D-30 and D share 1:2 (333 / 666); D-31 and D+1 get nothing
    assert household_income(db) == {edge.id: 333, same_day.id: 666}
    assert set(db.session.scalars(select(Posting.order_line_id).where(Posting.benefit_mode == "operating"))) == {
        order.lines[0].id}


def test_collective_is_the_verified_one_at_the_origin_village(
        db, make_org, make_product, make_sku, ledger_order, pay_order):
    # given: lower ids first: a cooperative AT the village, a collective of ANOTHER village; then three
    # collectives at the village: suspended, pending, verified
    from tests.factories import DEFAULT_VILLAGE
    make_org(kind="cooperative", region_code=DEFAULT_VILLAGE)
    make_org(kind="collective", region_code=DEFAULT_VILLAGE[:-3] + "002")
    suspended = make_org(kind="collective", region_code=DEFAULT_VILLAGE, status="suspended")
    pending = make_org(kind="collective", region_code=DEFAULT_VILLAGE, status="pending")
    verified = make_org(kind="collective", region_code=DEFAULT_VILLAGE, status="verified")
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    add_scheme(db, product, supply=0, shares=0, collective=10000, supplier=0)
    # when
    pay_order(ledger_order([(make_sku(product=product, price_fen=501), 1)]))
    # then: all 501 fen to the verified one (a pending registration receives nothing, issue 15)
    rows = db.session.execute(select(LedgerAccount.organization_id, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind.in_(("collective_income", "supplier")))
                              .group_by(LedgerAccount.organization_id)).all()
    assert dict(rows) == {verified.id: -501}
    assert suspended.id < pending.id < verified.id


def test_no_verified_collective_at_the_village_leaves_its_share_to_the_supplier(
        db, make_org, make_product, make_sku, ledger_order, pay_order):
    from tests.factories import DEFAULT_VILLAGE
    make_org(kind="collective", region_code=DEFAULT_VILLAGE, status="pending")
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    add_scheme(db, product, supply=0, shares=0, collective=10000, supplier=0)
    pay_order(ledger_order([(make_sku(product=product, price_fen=501), 1)]))
    rows = db.session.execute(select(LedgerAccount.kind, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind.in_(("collective_income", "supplier")))
                              .group_by(LedgerAccount.kind)).all()
    assert dict(rows) == {"supplier": -501}


def test_batch_posting_uses_each_payments_own_scheme_version(db, make_org, make_product, make_sku, ledger_order):
    # given: v1 (all to supplier) from 3 days ago, v2 (all to collective) from 1 day ago; one payment
    # two days ago, one 12 hours ago, one now; all posted in ONE batch (the middle one is neither the
    # batch's first nor last moment, so its scheme is not looked up on its own when versions agree)
    from marketplace.ledger.services.attribution import post_payments_success
    from marketplace.payments.models import Payment
    from tests.factories import DEFAULT_VILLAGE
    collective = make_org(kind="collective", region_code=DEFAULT_VILLAGE)
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    now = utcnow()
    add_scheme(db, product, supply=0, shares=0, collective=0, supplier=10000, version=1,
               created_at=now - timedelta(days=3))
    add_scheme(db, product, supply=0, shares=0, collective=10000, supplier=0, version=2,
               created_at=now - timedelta(days=1))
    sku = make_sku(product=product, price_fen=700)
    payments = []
    for at, quantity in ((now - timedelta(days=2), 1), (now - timedelta(hours=12), 2), (now, 4)):
        order = ledger_order([(sku, quantity)])
        payments.append(Payment(order_id=order.id, method="bank_transfer", status="succeeded",
                                amount_fen=order.total_fen, succeeded_at=at))
        order.payment_status = "paid"
    db.session.add_all(payments)
    db.session.flush()
    # when
    assert post_payments_success(payments) == 3
    db.session.commit()
    # then: the oldest payment (700) by v1 to the supplier, the two newer (1400 + 2800) by v2 to the collective
    rows = db.session.execute(select(LedgerAccount.organization_id, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind.in_(("collective_income", "supplier")))
                              .group_by(LedgerAccount.organization_id)).all()
    assert dict(rows) == {coop.id: -700, collective.id: -4200}


def test_batch_posting_looks_up_supply_per_product(db, make_org, make_product, make_sku, make_household,
                                                   make_supply_record, ledger_order):
    # given: one supplier, two products, each supplied by its own household; everything by supply
    from marketplace.ledger.services.attribution import post_payments_success
    from marketplace.payments.models import Payment
    coop = make_org(kind="cooperative")
    tea, rice = make_product(supplier=coop), make_product(supplier=coop)
    tea_hh, rice_hh = make_household(), make_household()
    for product, household in ((tea, tea_hh), (rice, rice_hh)):
        add_scheme(db, product, supply=10000, shares=0, collective=0, supplier=0)
        make_supply_record(coop, household, product, quantity=3, supplied_on=utcnow().date() - timedelta(days=5))
    payments = []
    for sku in (make_sku(product=tea, price_fen=123), make_sku(product=rice, price_fen=456)):
        order = ledger_order([(sku, 1)])
        payments.append(Payment(order_id=order.id, method="bank_transfer", status="succeeded",
                                amount_fen=order.total_fen, succeeded_at=utcnow()))
        order.payment_status = "paid"
    db.session.add_all(payments)
    db.session.flush()
    # when: both in one batch
    assert post_payments_success(payments) == 2
    db.session.commit()
    # then: each product's money went to its own supplier household
    assert household_income(db) == {tea_hh.id: 123, rice_hh.id: 456}


def test_batch_posting_of_three_payments_under_one_scheme_version(db, make_org, make_product, make_sku, ledger_order):
    # given: one scheme version (30 % supplier, 70 % collective) current for three payments at three moments
    from marketplace.ledger.services.attribution import post_payments_success
    from marketplace.payments.models import Payment
    from tests.factories import DEFAULT_VILLAGE
    collective = make_org(kind="collective", region_code=DEFAULT_VILLAGE)
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    add_scheme(db, product, supply=0, shares=0, collective=7000, supplier=3000, created_at=utcnow() - timedelta(days=9))
    sku = make_sku(product=product, price_fen=101)
    payments = []
    for hours_ago in (48, 24, 0):
        order = ledger_order([(sku, 1)])
        payments.append(Payment(order_id=order.id, method="bank_transfer", status="succeeded",
                                amount_fen=order.total_fen, succeeded_at=utcnow() - timedelta(hours=hours_ago)))
        order.payment_status = "paid"
    db.session.add_all(payments)
    db.session.flush()
    # when
    assert post_payments_success(payments) == 3
    db.session.commit()
    # then: each 101 fen: collective 70.7 -> 71 (largest remainder .7), supplier 30.3 -> 30
    rows = db.session.execute(select(LedgerAccount.organization_id, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind.in_(("collective_income", "supplier")))
                              .group_by(LedgerAccount.organization_id)).all()
    assert dict(rows) == {collective.id: -213, coop.id: -90}


def test_supply_window_uses_the_shanghai_date_of_the_payment(db, make_org, make_product, make_sku, make_household,
                                                             make_supply_record, ledger_order, pay_order):
    # given: paid at 20:00 UTC on day U, which is already day U+1 in Shanghai; a 1-day look-back
    from datetime import UTC, datetime, time
    utc_day = utcnow().date() - timedelta(days=3)
    paid_at = datetime.combine(utc_day, time(20, 0), UTC)
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    add_scheme(db, product, supply=10000, shares=0, collective=0, supplier=0, lookback=1,
               created_at=paid_at - timedelta(days=1))
    shanghai_day, utc_only = make_household(), make_household()
    make_supply_record(coop, shanghai_day, product, quantity=1, supplied_on=utc_day + timedelta(days=1))
    make_supply_record(coop, utc_only, product, quantity=1, supplied_on=utc_day - timedelta(days=1))
    # when
    pay_order(ledger_order([(make_sku(product=product, price_fen=77), 1)]), succeeded_at=paid_at)
    # then: the window is [U, U+1] (Shanghai), not [U-1, U] (UTC)
    assert household_income(db) == {shanghai_day.id: 77}


def test_attribution_entries_name_their_order_payment_and_line_on_every_posting(
        db, make_org, make_product, make_sku, ledger_order, pay_order):
    from marketplace.ledger.models import JournalEntry
    product = make_product(supplier=make_org(kind="cooperative"))
    order = ledger_order([(make_sku(product=product, price_fen=300), 1), (make_sku(product=product, price_fen=50), 2)])
    payment = pay_order(order)
    entries = db.session.scalars(select(JournalEntry).where(JournalEntry.kind == "attribution")
                                 .order_by(JournalEntry.id)).all()
    assert [(e.order_id, e.payment_id, e.order_line_id) for e in entries] == [
        (order.id, payment.id, line.id) for line in order.lines]
    for entry, line in zip(entries, order.lines, strict=True):
        assert {(p.order_line_id, p.amount_fen) for p in entry.postings} == {(line.id, line.amount_fen),
                                                                             (line.id, -line.amount_fen)}


def test_refund_reverses_a_household_per_benefit_mode(db, make_org, make_product, make_sku, make_household,
                                                      make_member, make_supply_record, ledger_order, pay_order,
                                                      refund_lines):
    # given: one household both supplies (operating) and holds shares (asset): 50 + 50 of a 100 fen line
    from marketplace.ledger.models import JournalEntry
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    add_scheme(db, product, supply=5000, shares=5000, collective=0, supplier=0)
    household = make_household()
    make_supply_record(coop, household, product, quantity=1, supplied_on=utcnow().date() - timedelta(days=1))
    make_member(coop, household, shares=1)
    order = ledger_order([(make_sku(product=product, price_fen=100), 1)])
    payment = pay_order(order)
    # when: the line is refunded in full
    refund_lines(payment, [(order.lines[0], 1)])
    # then: each mode reversed on its own
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "refund_attribution"))
    assert sorted((p.benefit_mode or "", p.amount_fen) for p in entry.postings) == [
        ("", -100), ("asset", 50), ("operating", 50)]
