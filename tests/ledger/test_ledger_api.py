"""Ledger routes: attribution per order (masked), household income, entries, accounts; role matrix."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from marketplace.catalog.models import AttributionScheme
from marketplace.core.clock import today_local
from marketplace.core.db import utcnow
from marketplace.ledger.models import LedgerAccount
from tests.factories import DEFAULT_VILLAGE


@pytest.fixture
def world(db, make_org, make_user, make_product, make_sku, make_household, make_member, make_supply_record,
          ledger_order, pay_order, refund_lines):
    """An order with a line of each of two suppliers, paid, with one unit refunded; and the people around it."""
    coop = make_org(kind="cooperative")
    other = make_org(kind="cooperative")
    make_org(kind="collective", region_code=DEFAULT_VILLAGE)
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    db.session.add(AttributionScheme(product_id=product.id, supplier_id=coop.id, version=3,
                                     households_by_supply_bp=6000, households_by_shares_bp=2000, collective_bp=1000,
                                     supplier_bp=1000, supply_lookback_days=365,
                                     created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    supplier_hh = make_household(head_name="王建国")
    holder_hh = make_household(head_name="李秀英")
    make_supply_record(coop, supplier_hh, product, quantity=10)
    make_member(coop, holder_hh, shares=4)
    buyer_org = make_org(kind="canteen")
    order = ledger_order([(make_sku(product=product, price_fen=10000), 3),
                          (make_sku(product=make_product(supplier=other), price_fen=500), 2)], buyer_org=buyer_org)
    payment = pay_order(order)
    refund_lines(payment, [(order.lines[0], 1)])
    people = {
        "buyer": make_user(role="buyer_purchaser", org=buyer_org),
        "other_buyer": make_user(role="buyer_purchaser", org=make_org(kind="school")),
        "supplier": make_user(role="supplier_manager", org=coop),
        "other_supplier": make_user(role="supplier_manager", org=other),
        "stranger_supplier": make_user(role="supplier_manager", org=make_org(kind="cooperative")),
        "admin": make_user(role="admin"),
        "county_admin": make_user(role="admin", region_scope=DEFAULT_VILLAGE[:6]),
        "far_admin": make_user(role="admin", region_scope="52"),
        "auditor": make_user(role="auditor"),
        "far_auditor": make_user(role="auditor", region_scope="52"),
    }
    return {"order": order, "coop": coop, "other": other, "supplier_hh": supplier_hh, "holder_hh": holder_hh,
            **people}


@pytest.mark.parametrize("who,status", [("buyer", 200), ("supplier", 200), ("other_supplier", 200), ("admin", 200),
                                        ("auditor", 200), ("county_admin", 200), ("other_buyer", 404),
                                        ("stranger_supplier", 404), ("far_admin", 404), ("far_auditor", 404),
                                        (None, 401)])
def test_get_order_attribution_role_matrix(api, world, who, status):
    response = api.get(f"/orders/{world['order'].id}/attribution", world[who] if who else None)
    assert response.status_code == status, response.json


def test_get_order_attribution_unknown_order_404(api, world):
    assert api.get("/orders/999999/attribution", world["admin"]).status_code == 404


def test_get_order_attribution_buyer_sees_parts_masked_with_scheme_version(api, world):
    # when
    body = api.get(f"/orders/{world['order'].id}/attribution", world["buyer"]).json
    # then
    first, second = body["lines"]
    assert first["scheme_version"] == 3 and second["scheme_version"] == 0
    by_mode = {p["benefit_mode"]: p for p in first["parts"]}
    assert set(by_mode) == {"operating", "asset", "collective", "supplier"}
    assert by_mode["operating"]["attributed_fen"] == 18000  # 60% of 30000 to the only supplying household
    assert by_mode["operating"]["refunded_fen"] == 6000 and by_mode["operating"]["amount_fen"] == 12000
    assert sum(p["attributed_fen"] for p in first["parts"]) == 30000
    assert sum(p["refunded_fen"] for p in first["parts"]) == 10000
    raw = json.dumps(body, ensure_ascii=False)
    for household in (world["supplier_hh"], world["holder_hh"]):
        assert household.plain_head_name not in raw
        assert household.plain_id_number not in raw
    assert by_mode["operating"]["recipient"]["head_name"] == world["supplier_hh"].head_name_masked
    assert "*" in by_mode["operating"]["recipient"]["id_number"]


def test_get_order_attribution_supplier_sees_only_own_lines(api, world):
    body = api.get(f"/orders/{world['order'].id}/attribution", world["other_supplier"]).json
    assert [line["supplier_id"] for line in body["lines"]] == [world["other"].id]
    raw = json.dumps(api.get(f"/orders/{world['order'].id}/attribution", world["supplier"]).json, ensure_ascii=False)
    assert world["supplier_hh"].plain_head_name not in raw


@pytest.mark.parametrize("who,status", [("admin", 200), ("county_admin", 200), ("auditor", 200), ("far_admin", 404),
                                        ("far_auditor", 404), ("buyer", 403), ("supplier", 403), (None, 401)])
def test_get_household_income_role_matrix(api, world, who, status):
    response = api.get(f"/households/{world['supplier_hh'].id}/income", world[who] if who else None)
    assert response.status_code == status


def test_get_household_income_by_month_and_mode_with_postings(api, world):
    # given: operating income 18000 credited, 6000 reversed by the refund, in the current month
    # the endpoint counts Asia/Shanghai years and months (between 16:00 and 24:00 UTC on 31 December the
    # UTC year is the previous one)
    year, month = today_local().year, today_local().month
    # when
    body = api.get(f"/households/{world['supplier_hh'].id}/income?year={year}", world["admin"]).json
    # then
    assert body["total_fen"] == body["operating_fen"] == 12000 and body["asset_fen"] == 0
    assert len(body["months"]) == 12
    assert [(m["month"], m["operating_fen"]) for m in body["months"] if m["total_fen"]] == [(month, 12000)]
    assert sorted(p["income_fen"] for p in body["postings"]) == [-6000, 18000]
    assert {p["entry_kind"] for p in body["postings"]} == {"attribution", "refund_attribution"}
    holder = api.get(f"/households/{world['holder_hh'].id}/income", world["auditor"]).json
    assert holder["asset_fen"] == holder["total_fen"] == 6000 - 2000


def test_get_household_income_bad_year_422(api, world):
    response = api.get(f"/households/{world['supplier_hh'].id}/income?year=1066", world["admin"])
    assert response.status_code == 422 and "year" in response.json["errors"]


@pytest.mark.parametrize("who,status", [("admin", 200), ("auditor", 200), ("buyer", 403), ("supplier", 403),
                                        (None, 401)])
def test_list_ledger_entries_role_matrix(api, world, who, status):
    assert api.get("/ledger/entries", world[who] if who else None).status_code == status


def test_list_ledger_entries_filters_and_scope(api, world):
    order_id = world["order"].id
    body = api.get(f"/ledger/entries?order_id={order_id}&page_size=100", world["admin"]).json
    assert body["total"] == 5  # payment, 2 attributions, 1 refund_attribution, 1 refund
    assert {e["kind"] for e in body["items"]} == {"payment", "attribution", "refund_attribution", "refund"}
    assert all(sum(p["amount_fen"] for p in e["postings"]) == 0 for e in body["items"])
    assert api.get("/ledger/entries", world["far_admin"]).json["total"] == 0
    assert api.get("/ledger/entries", world["county_admin"]).json["total"] == 5
    today = today_local()
    assert api.get(f"/ledger/entries?from={today + timedelta(days=2)}", world["admin"]).json["total"] == 0
    assert api.get("/ledger/entries?order_id=abc", world["admin"]).status_code == 422


def test_get_ledger_account_balance_and_postings(api, db, world):
    household_id = world["supplier_hh"].id
    account_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.household_id == household_id))
    body = api.get(f"/ledger/accounts/{account_id}?page_size=1", world["auditor"]).json
    assert body["balance_fen"] == -12000 and body["kind"] == "household_income"
    assert body["postings"]["total"] == 2 and len(body["postings"]["items"]) == 1
    assert api.get(f"/ledger/accounts/{account_id}", world["far_auditor"]).status_code == 404
    assert api.get(f"/ledger/accounts/{account_id}", world["supplier"]).status_code == 403
    cash = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.kind == "platform_cash"))
    assert api.get(f"/ledger/accounts/{cash}", world["county_admin"]).status_code == 404
    assert api.get(f"/ledger/accounts/{cash}", world["admin"]).json["balance_fen"] == 31000
    assert api.get("/ledger/accounts/987654", world["admin"]).status_code == 404


def test_ledger_check_command_ok_then_breach(app, db, world, is_postgres):
    # given a good ledger
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert "ledger ok: 5 entries" in result.output
    if is_postgres:
        pytest.skip("PostgreSQL refuses the unbalanced entry at commit (see test_ledger_posting)")
    # when: an unbalanced entry slips in (SQLite has only the code checks)
    account_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.kind == "platform_cash"))
    db.session.execute(text("INSERT INTO journal_entries (kind, idempotency_key, memo, created_at) "
                            "VALUES ('payment', 'bad:1', '', '2025-01-01 00:00:00')"))
    entry_id = db.session.scalar(text("SELECT id FROM journal_entries WHERE idempotency_key = 'bad:1'"))
    db.session.execute(text("INSERT INTO postings (entry_id, account_id, amount_fen, created_at) "
                            "VALUES (:e, :a, 5, '2025-01-01 00:00:00')"), {"e": entry_id, "a": account_id})
    db.session.commit()
    # then
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert f"entry {entry_id}: postings sum to 5 fen over 1 postings" in result.output
