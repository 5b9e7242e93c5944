"""`flask seed demo`: twice on a fresh database, every report shows something, the ledger holds."""
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.seed import demo_data
from marketplace.seed.demo import DEMO_PASSWORD

TABLES = ("users", "organizations", "regions", "households", "household_memberships", "supply_records",
          "products", "skus", "certifications", "attribution_schemes", "procurement_targets", "orders",
          "order_lines", "fulfilments", "payments", "refunds", "journal_entries", "postings", "ledger_accounts",
          "audit_events")
#: The real region codes the demo needs (the test loads these alone, not the whole national file).
NEEDED = ("511702",) + tuple(demo_data.COUNTIES) + tuple({code[:9] for code in demo_data.VILLAGES})


def table_counts():
    return {t: _db.session.scalar(select(func.count()).select_from(_db.metadata.tables[t])) for t in TABLES}


@pytest.fixture
def seeded(app, db, make_region, household_cipher):
    for code in NEEDED:
        make_region(code)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    counts = table_counts()
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    return first.output, counts, table_counts()


def login(client, email):
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    assert resp.status_code == 200, (email, resp.get_data(as_text=True))
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def test_seed_demo_twice_adds_nothing_the_second_time(seeded):
    output, first, second = seeded
    assert first == second
    assert first["orders"] == len(demo_data.ORDERS) and first["refunds"] == 1
    assert first["households"] == sum(len(rows) for rows in demo_data.HOUSEHOLDS.values())
    assert "admin@demo.cn" in output and DEMO_PASSWORD in output
    assert f"/public/disclosures/{demo_data.SHOWCASE_VILLAGE}" in output


def test_seed_demo_logins_work_for_every_role(seeded, client):
    output = seeded[0]
    emails = [line.split()[1] for line in output.splitlines() if line.strip().endswith("@demo.cn")]
    roles = {line.split()[0] for line in output.splitlines() if line.strip().endswith("@demo.cn")}
    assert roles == {"admin", "auditor", "supplier_manager", "buyer_approver", "buyer_purchaser"}
    for email in emails[:5]:  # the login rate limit counts per client address
        me = client.get("/api/v1/me", headers=login(client, email))
        assert me.status_code == 200 and me.get_json()["email"] == email


def test_seed_demo_every_report_has_rows(seeded, client):
    headers = login(client, "admin@demo.cn")
    year = date.today().year
    for path, query in (("sales", {"group_by": "county,month", "year": year}),
                        ("beneficiaries", {"group_by": "village", "year": year}),
                        ("income-bands", {"year": year}),
                        ("procurement", {"year": year})):
        resp = client.get(f"/api/v1/reports/{path}", headers=headers, query_string=query)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        body = resp.get_json()
        rows = body.get("rows") or body.get("bands")
        assert rows, (path, body)
    sales = client.get("/api/v1/reports/sales", headers=headers,
                       query_string={"group_by": "month", "year": year}).get_json()
    assert len(sales["rows"]) >= 3 and sales["totals"]["refunded_fen"] > 0


def test_seed_demo_village_disclosure_shows_households_and_collective_income(seeded, client):
    resp = client.get(f"/api/v1/public/disclosures/{demo_data.SHOWCASE_VILLAGE}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["households"] and body["households_benefited"] >= 3
    assert body["collective_income_fen"] > 0 and body["sales"]["net_fen"] > 0
    assert "赵长海" not in resp.get_data(as_text=True)


def test_seed_demo_ledger_check_passes(seeded, app):
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert "ledger ok" in result.output
