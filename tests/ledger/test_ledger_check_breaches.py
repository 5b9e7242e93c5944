"""`flask ledger check` against each of its invariants, one breach at a time.

Each test starts from a healthy ledger (one paid order, 2 lines of one supplier, default scheme:
no households, no collective, so every line falls wholly to the supplier), then writes the breach
straight into the tables. PostgreSQL would refuse an unbalanced entry at commit (deferred
trigger), so the breach is written with ``SET LOCAL session_replication_role = replica`` there
(triggers off for that transaction only); SQLite has no balance trigger.
"""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from marketplace.ledger.models import JournalEntry, LedgerAccount, Posting

AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def healthy(db, make_org, make_product, make_sku, ledger_order, pay_order):
    """An order of 2 x 300 fen + 1 x 250 fen, paid; the whole 850 fen credited to the supplier."""
    coop = make_org(kind="cooperative")
    product = make_product(supplier=coop)
    order = ledger_order([(make_sku(product=product, price_fen=300), 2),
                          (make_sku(product=product, price_fen=250), 1)])
    pay_order(order)
    accounts = dict(db.session.execute(select(LedgerAccount.kind, LedgerAccount.id)
                                       .where(LedgerAccount.kind.in_(("platform_cash", "order_clearing",
                                                                      "supplier")))).all())
    return {"order": order, "lines": order.lines, "cash": accounts["platform_cash"],
            "clearing": accounts["order_clearing"], "supplier": accounts["supplier"]}


_keys = iter(range(1, 10_000))


def write_entry(db, is_postgres, postings, kind="payment", entry_at=AT, posting_at=None):
    """One journal entry with ``postings`` = [(account_id, amount_fen, order_line_id), ...], committed
    with the database's own ledger triggers off (PostgreSQL) so a breach can be stored."""
    if is_postgres:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    entry = JournalEntry(kind=kind, idempotency_key=f"breach:{next(_keys)}", memo="", created_at=entry_at)
    db.session.add(entry)
    db.session.flush()
    for account_id, amount, line_id in postings:
        db.session.add(Posting(entry_id=entry.id, account_id=account_id, amount_fen=amount, order_line_id=line_id,
                               created_at=posting_at or entry_at))
    db.session.commit()
    return entry.id


def run_check(app):
    return app.test_cli_runner().invoke(args=["ledger", "check"])


def assert_breach(result, *sentences, count):
    assert result.exit_code == 1, result.output
    for sentence in sentences:
        assert f"BREACH {sentence}" in result.output
    assert f"ledger check failed: {count} breach(es)" in result.output


def test_healthy_ledger_passes(app, healthy):
    result = run_check(app)
    assert result.exit_code == 0, result.output
    assert "ledger ok: 3 entries, 6 postings" in result.output  # payment: cash, clearing; per line: clearing, supplier


def test_breach_entry_not_summing_to_zero(app, db, healthy, is_postgres):
    entry = write_entry(db, is_postgres, [(healthy["cash"], 5, None), (healthy["cash"], -4, None)])
    assert_breach(run_check(app), f"entry {entry}: postings sum to 1 fen over 2 postings (must be 0 over >= 2)",
                  count=1)


def test_breach_entry_with_fewer_than_two_postings(app, db, healthy, is_postgres):
    empty = write_entry(db, is_postgres, [])
    assert_breach(run_check(app), f"entry {empty}: postings sum to 0 fen over 0 postings (must be 0 over >= 2)",
                  count=1)


def test_breach_clearing_account_not_netting_to_zero(app, db, healthy, is_postgres):
    # a balanced entry (cash -5, clearing +5) that leaves 5 fen on the order's clearing account
    write_entry(db, is_postgres, [(healthy["clearing"], 5, None), (healthy["cash"], -5, None)])
    assert_breach(run_check(app),
                  f"order {healthy['order'].id}: clearing account holds 5 fen after posting (must net to 0)", count=1)


def test_breach_income_account_debit_balance_in_total(app, db, healthy, is_postgres):
    # the supplier was credited 850 fen (600 on line 1, 250 on line 2); debit it 857 on line 2:
    # its balance becomes +7 and line 2's postings sum to 857 - 250 = +607
    line2 = healthy["lines"][1].id
    write_entry(db, is_postgres, [(healthy["supplier"], 857, line2), (healthy["cash"], -857, None)],
                kind="refund_attribution")
    assert_breach(run_check(app),
                  f"account {healthy['supplier']}: income account has a debit balance of 7 fen",
                  f"account {healthy['supplier']}, order line {line2}: refunds reversed 607 fen more than was "
                  f"attributed", count=2)


def test_breach_income_account_overdrawn_on_one_line_only(app, db, healthy, is_postgres):
    # debit 253 on line 2 (credited 250): 3 fen too many on that line, the total still -597 (credit)
    line2 = healthy["lines"][1].id
    write_entry(db, is_postgres, [(healthy["supplier"], 253, line2), (healthy["cash"], -253, None)],
                kind="refund_attribution")
    assert_breach(run_check(app),
                  f"account {healthy['supplier']}, order line {line2}: refunds reversed 3 fen more than was "
                  f"attributed", count=1)


def test_breach_line_attributed_more_than_its_amount(app, db, healthy, is_postgres):
    # one more fen attributed to line 1 (600 fen), the clearing account kept at 0 by an unlined posting
    line1 = healthy["lines"][0].id
    write_entry(db, is_postgres, [(healthy["clearing"], 1, line1), (healthy["cash"], -1, None)], kind="attribution")
    write_entry(db, is_postgres, [(healthy["clearing"], -1, None), (healthy["cash"], 1, None)])
    assert_breach(run_check(app),
                  f"order line {line1}: amount 600 fen, attributed 601 fen, refunded 0 fen (attributed must equal "
                  f"the amount, refunded must not exceed it)", count=1)


def test_breach_line_refunded_more_than_attributed(app, db, healthy, is_postgres):
    # 601 fen reversed off line 1's clearing (600 attributed); clearing kept at 0 by an unlined posting
    line1 = healthy["lines"][0].id
    write_entry(db, is_postgres, [(healthy["clearing"], -601, line1), (healthy["cash"], 601, None)],
                kind="refund_attribution")
    write_entry(db, is_postgres, [(healthy["clearing"], 601, None), (healthy["cash"], -601, None)])
    assert_breach(run_check(app),
                  f"order line {line1}: amount 600 fen, attributed 600 fen, refunded 601 fen (attributed must equal "
                  f"the amount, refunded must not exceed it)", count=1)


def test_breach_posting_time_differs_from_its_entry(app, db, healthy, is_postgres):
    later = AT.replace(second=1)
    entry = write_entry(db, is_postgres, [(healthy["cash"], 9, None), (healthy["cash"], -9, None)], posting_at=later)
    postings = db.session.scalars(select(Posting.id).where(Posting.entry_id == entry).order_by(Posting.id)).all()
    assert_breach(run_check(app), *[f"posting {p}: created_at differs from its entry {entry}" for p in postings],
                  count=2)
