"""`flask seed scale`: bulk orders with snapshots, payments and balanced postings; reports see them."""
from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.geography.models import Region
from marketplace.ledger.models import Posting
from marketplace.orders.models import Order, OrderLine
from marketplace.seed import demo_data


def count(table):
    return _db.session.scalar(select(func.count()).select_from(_db.metadata.tables[table]))


def test_seed_scale_counts_and_ledger_check(app, db, make_region, household_cipher, make_user, api):
    # given: a few real townships under the demo counties (the generator picks counties with >= 5)
    for county in demo_data.COUNTIES:
        for n in range(5):
            make_region(f"{county}{100 + n}")
    runner = app.test_cli_runner()
    # when
    result = runner.invoke(args=["seed", "scale", "--orders", "200", "--households", "50", "--batch", "80"])
    # then
    assert result.exit_code == 0, result.output
    assert count("orders") == 200 and count("payments") == 200 and count("households") == 50
    lines = count("order_lines")
    assert 200 <= lines <= 1000
    assert _db.session.scalar(select(func.count()).select_from(Region).where(Region.level == "village")) >= 5
    assert _db.session.scalar(select(func.sum(Posting.amount_fen))) == 0
    paid = _db.session.scalar(select(func.sum(Order.total_fen)))
    assert paid == _db.session.scalar(select(func.sum(OrderLine.amount_fen)))
    assert len(set(_db.session.scalars(select(Order.number)))) == 200
    check = runner.invoke(args=["ledger", "check"])
    assert check.exit_code == 0, check.output
    # and the reports see the data
    admin = make_user("admin")
    year = date.today().year
    body = api.get("/reports/sales", admin, query_string={"group_by": "month", "from": f"{year - 1}-01-01",
                                                          "to": f"{year}-12-31"}).get_json()
    assert body["totals"]["orders"] == 200 and body["totals"]["gross_fen"] == paid
    beneficiaries = api.get("/reports/beneficiaries", admin, query_string={"group_by": "county", "year": year})
    assert beneficiaries.status_code == 200 and beneficiaries.get_json()["rows"]


def test_seed_scale_twice_adds_a_second_set(app, db, make_region, household_cipher):
    for n in range(5):
        make_region(f"511781{100 + n}")
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed", "scale", "--orders", "30", "--households", "20"])
        assert result.exit_code == 0, result.output
    assert count("orders") == 60 and count("households") == 40
    assert runner.invoke(args=["ledger", "check"]).exit_code == 0


def test_seed_scale_is_posted_by_the_ledger_at_payment_time(app, db, make_region, household_cipher):
    """The ledger's own batch posting writes the scale data: one payment entry per payment and one
    attribution entry per line, dated at the payment (reports count income by posting date)."""
    from marketplace.ledger.models import JournalEntry
    from marketplace.payments.models import Payment

    for n in range(5):
        make_region(f"511781{100 + n}")
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--orders", "40", "--households", "20"])
    assert result.exit_code == 0, result.output
    entries = _db.session.scalars(select(JournalEntry)).all()
    paid_at = {p.id: p.succeeded_at for p in _db.session.scalars(select(Payment))}
    assert sorted(e.payment_id for e in entries if e.kind == "payment") == sorted(paid_at)
    assert sum(e.kind == "attribution" for e in entries) == count("order_lines")
    assert {e.idempotency_key for e in entries if e.kind == "payment"} == {f"pay:{i}" for i in paid_at}
    assert all(e.created_at == paid_at[e.payment_id] for e in entries if e.kind in ("payment", "attribution"))
