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
    pay_order(ledger_order([(make_sku(product=product, price_fen=999), 1)]), succeeded_at=paid_at)
    # then: D-30 and D share 1:2 (333 / 666); D-31 and D+1 get nothing
    assert household_income(db) == {edge.id: 333, same_day.id: 666}
