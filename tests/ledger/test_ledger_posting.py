"""Posting a payment: the worked Wanyuan tea case to the fen, idempotency, fall-backs, append-only."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from marketplace.catalog.models import AttributionScheme
from marketplace.core.db import utcnow
from marketplace.ledger.models import JournalEntry, LedgerAccount, Posting
from marketplace.ledger.services import account_balance, check_ledger, post_payment_success
from tests.factories import DEFAULT_VILLAGE

LINE_FEN = 1_234_567  # 12,345.67 yuan


def balances(db):
    """{(kind, owner_key): balance} over every account with postings."""
    rows = db.session.execute(select(LedgerAccount.kind, LedgerAccount.owner_key, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .group_by(LedgerAccount.kind, LedgerAccount.owner_key))
    return {(k, o): int(s) for k, o, s in rows}


def add_scheme(db, product, supply=6000, shares=2000, collective=1000, supplier=1000, version=1,
               lookback=365, created_at=None):
    scheme = AttributionScheme(product_id=product.id, supplier_id=product.supplier_id, version=version,
                               households_by_supply_bp=supply, households_by_shares_bp=shares,
                               collective_bp=collective, supplier_bp=supplier, supply_lookback_days=lookback,
                               created_at=created_at or utcnow() - timedelta(days=1))
    db.session.add(scheme)
    db.session.commit()
    return scheme


@pytest.fixture
def tea_case(db, make_org, make_product, make_sku, make_household, make_member, make_supply_record):
    """万源 tea cooperative: 60/20/10/10, three suppliers (500/300/200), two shareholders (60/40), a collective."""
    coop = make_org(kind="cooperative", name="万源市富硒茶专业合作社")
    collective = make_org(kind="collective", region_code=DEFAULT_VILLAGE, name="石塘村股份经济合作社")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE, name="万源富硒绿茶")
    sku = make_sku(product=product, price_fen=LINE_FEN, stock=10)
    scheme = add_scheme(db, product)
    supply = [make_household() for _ in range(3)]
    for household, quantity in zip(supply, (500, 300, 200), strict=True):
        make_supply_record(coop, household, product, quantity=quantity,
                           supplied_on=utcnow().date() - timedelta(days=30))
    holders = [make_household() for _ in range(2)]
    for household, shares in zip(holders, (60, 40), strict=True):
        make_member(coop, household, shares=shares)
    return {"coop": coop, "collective": collective, "product": product, "sku": sku, "scheme": scheme,
            "supply": supply, "holders": holders}


def test_post_payment_wanyuan_tea_line_exact_fen_per_account(db, tea_case, ledger_order, pay_order):
    # given
    order = ledger_order([(tea_case["sku"], 1)])
    # when
    payment = pay_order(order)
    # then: written out by hand.
    # buckets: 60% 740740.2 -> 740740, 20% 246913.4 -> 246913, 10% 123456.7 -> 123457 (x2: largest remainders)
    # supply 500/300/200 of 740740: 370370 / 222222 / 148148 (exact)
    # shares 60/40 of 246913: 148147.8 -> 148148, 98765.2 -> 98765
    s1, s2, s3 = tea_case["supply"]
    h1, h2 = tea_case["holders"]
    expected = {
        ("platform_cash", ""): 1_234_567,
        ("order_clearing", f"order:{order.id}"): 0,
        ("household_income", f"household:{s1.id}"): -370_370,
        ("household_income", f"household:{s2.id}"): -222_222,
        ("household_income", f"household:{s3.id}"): -148_148,
        ("household_income", f"household:{h1.id}"): -148_148,
        ("household_income", f"household:{h2.id}"): -98_765,
        ("collective_income", f"org:{tea_case['collective'].id}"): -123_457,
        ("supplier", f"org:{tea_case['coop'].id}"): -123_457,
    }
    assert balances(db) == expected
    modes = dict(db.session.execute(select(Posting.benefit_mode, func.sum(Posting.amount_fen))
                                    .where(Posting.benefit_mode.is_not(None)).group_by(Posting.benefit_mode)).all())
    assert modes == {"operating": -740_740, "asset": -246_913, "collective": -123_457, "supplier": -123_457}
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "attribution"))
    assert (entry.scheme_id, entry.scheme_version, entry.memo) == (tea_case["scheme"].id, 1, "")
    assert entry.idempotency_key == f"attr:{payment.id}:{order.lines[0].id}"
    assert check_ledger() == []


def test_post_payment_twice_posts_once(db, tea_case, ledger_order, pay_order):
    # given
    payment = pay_order(ledger_order([(tea_case["sku"], 1)]))
    before = db.session.scalar(select(func.count()).select_from(Posting))
    # when
    assert post_payment_success(payment) is False
    db.session.commit()
    # then
    assert db.session.scalar(select(func.count()).select_from(Posting)) == before
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 2


def test_post_payment_empty_buckets_fall_to_supplier_with_memo(db, make_org, make_product, make_sku, ledger_order,
                                                               pay_order):
    # given: no supply records, no members, no collective at the origin village
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    add_scheme(db, product)
    sku = make_sku(product=product, price_fen=LINE_FEN)
    # when
    order = ledger_order([(sku, 1)])
    pay_order(order)
    # then
    assert balances(db)[("supplier", f"org:{coop.id}")] == -LINE_FEN
    memo = db.session.scalar(select(JournalEntry.memo).where(JournalEntry.kind == "attribution"))
    assert memo == ("households_by_supply had no recipients: 740740 fen fell to supplier; "
                    "households_by_shares had no recipients: 246913 fen fell to supplier; "
                    f"collective had no recipient (no collective organization at {DEFAULT_VILLAGE}): "
                    "123457 fen fell to supplier")
    assert check_ledger() == []


def test_post_payment_uses_scheme_version_current_at_payment(db, tea_case, ledger_order, pay_order):
    # given: version 2 (all to the supplier) is created after the payment moment
    paid_at = utcnow() - timedelta(hours=1)
    add_scheme(db, tea_case["product"], supply=0, shares=0, collective=0, supplier=10000, version=2,
               created_at=utcnow())
    # when
    pay_order(ledger_order([(tea_case["sku"], 1)]), succeeded_at=paid_at)
    # then: version 1 applied
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "attribution"))
    assert entry.scheme_version == 1
    assert balances(db)[("supplier", f"org:{tea_case['coop'].id}")] == -123_457


def test_post_payment_supply_outside_lookback_is_ignored(db, make_org, make_product, make_sku, make_household,
                                                         make_supply_record, ledger_order, pay_order):
    # given: a 30-day look-back; one record 10 days old, one 40 days old
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    add_scheme(db, product, supply=10000, shares=0, collective=0, supplier=0, lookback=30)
    recent, old = make_household(), make_household()
    make_supply_record(coop, recent, product, quantity=1, supplied_on=utcnow().date() - timedelta(days=10))
    make_supply_record(coop, old, product, quantity=1000, supplied_on=utcnow().date() - timedelta(days=40))
    # when
    pay_order(ledger_order([(make_sku(product=product, price_fen=999), 1)]))
    # then
    found = balances(db)
    assert found[("household_income", f"household:{recent.id}")] == -999
    assert ("household_income", f"household:{old.id}") not in found


def test_post_payment_builtin_default_scheme_records_version_zero(db, make_org, make_product, make_sku,
                                                                  ledger_order, pay_order):
    # given: no scheme at all -> built-in default (id None, version 0)
    product = make_product(supplier=make_org(kind="cooperative"))
    # when
    pay_order(ledger_order([(make_sku(product=product, price_fen=100), 3)]))
    # then
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "attribution"))
    assert (entry.scheme_id, entry.scheme_version) == (None, 0)
    assert check_ledger() == []


def test_post_payment_ties_go_to_lowest_account_id(db, make_org, make_product, make_sku, make_household,
                                                   make_member, ledger_order, pay_order):
    # given: three equal shareholders and 100 fen: 34/33/33, the extra fen to the lowest account id
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    add_scheme(db, product, supply=0, shares=10000, collective=0, supplier=0)
    households = [make_household() for _ in range(3)]
    for household in reversed(households):
        make_member(coop, household, shares=5)
    # when
    pay_order(ledger_order([(make_sku(product=product, price_fen=100), 1)]))
    # then
    rows = db.session.execute(select(LedgerAccount.id, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(LedgerAccount.kind == "household_income").group_by(LedgerAccount.id)
                              .order_by(LedgerAccount.id)).all()
    assert [int(s) for _, s in rows] == [-34, -33, -33]


def test_account_balance_is_signed_sum(db, tea_case, ledger_order, pay_order):
    pay_order(ledger_order([(tea_case["sku"], 1)]))
    account_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.kind == "platform_cash"))
    assert account_balance(account_id) == LINE_FEN


@pytest.mark.parametrize("statement", ["UPDATE postings SET amount_fen = amount_fen + 1",
                                       "DELETE FROM postings",
                                       "UPDATE journal_entries SET memo = 'edited'",
                                       "DELETE FROM journal_entries"])
def test_ledger_rows_update_delete_refused_by_database(db, tea_case, ledger_order, pay_order, statement):
    # given
    pay_order(ledger_order([(tea_case["sku"], 1)]))
    # when / then
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Posting)) > 0


def test_unbalanced_entry_rejected_at_commit_on_postgres(db, is_postgres, tea_case, ledger_order, pay_order):
    if not is_postgres:
        pytest.skip("the deferred balance trigger exists on PostgreSQL only")
    # given
    pay_order(ledger_order([(tea_case["sku"], 1)]))
    account_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.kind == "platform_cash"))
    # when: an entry with one posting of 1 fen
    entry_id = db.session.scalar(text("INSERT INTO journal_entries (kind, idempotency_key, memo, created_at) "
                                      "VALUES ('payment', 'bad:1', '', now()) RETURNING id"))
    db.session.execute(text("INSERT INTO postings (entry_id, account_id, amount_fen, created_at) "
                            "VALUES (:e, :a, 1, now())"), {"e": entry_id, "a": account_id})
    # then: accepted statement by statement, refused at COMMIT
    with pytest.raises(DBAPIError, match="unbalanced"):
        db.session.commit()
    db.session.rollback()
    assert check_ledger() == []


def test_entry_without_postings_rejected_at_commit_on_postgres(db, is_postgres):
    if not is_postgres:
        pytest.skip("the deferred balance trigger exists on PostgreSQL only")
    db.session.execute(text("INSERT INTO journal_entries (kind, idempotency_key, memo, created_at) "
                            "VALUES ('payment', 'empty:1', '', now())"))
    with pytest.raises(DBAPIError, match="unbalanced"):
        db.session.commit()
    db.session.rollback()
