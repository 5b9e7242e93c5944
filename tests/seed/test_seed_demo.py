"""`flask seed demo`: twice on a fresh database, every report shows something, the ledger holds."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.certification.models import Certification
from marketplace.core.clock import LOCAL_TZ
from marketplace.extensions import db as _db
from marketplace.households.models import Household
from marketplace.orders.models import Order
from marketplace.organizations.models import Organization
from marketplace.organizations.uscc import prefix_matches_kind, validate_uscc
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
def seeded(app, db, make_region, household_cipher, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "files")
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
    today = date.today()
    sales = client.get("/api/v1/reports/sales", headers=headers, query_string={
        "group_by": "month", "from": today.replace(year=today.year - 1, day=1).isoformat(),
        "to": today.isoformat()}).get_json()
    assert len(sales["rows"]) >= 6 and sales["totals"]["refunded_fen"] > 0


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


#: City (4 digits) of each demo region → its telephone area code.
AREA_CODES = {"5117": "0818", "2204": "0437", "5001": "023", "6109": "0915", "5134": "0834"}


def test_seed_demo_credit_codes_validate_and_match_their_kinds(seeded):
    orgs = _db.session.scalars(select(Organization)).all()
    assert len(orgs) == 15
    for org in orgs:
        assert validate_uscc(org.uscc), org.uscc
        assert prefix_matches_kind(org.uscc, org.kind), (org.kind, org.uscc)
        assert org.uscc[2:8] == org.region_code[:6]
    kinds = {org.kind: org.uscc[:2] for org in orgs}
    assert kinds == {"cooperative": "93", "enterprise": "91", "collective": "N2", "canteen": "12", "school": "12",
                     "hospital": "12", "union": "81"}


def test_seed_demo_contacts_carry_their_region_area_code(seeded):
    orgs = _db.session.scalars(select(Organization)).all()
    for org in orgs:
        phone = org.contact_phone
        assert phone.startswith(AREA_CODES[org.region_code[:4]] + "-") or re.fullmatch(r"1[3-9]\d{9}", phone), \
            (org.name, phone)
    assert len({org.contact_phone for org in orgs}) == len(orgs)
    assert len({org.contact_name for org in orgs}) == len(orgs)
    assert {o.contact_phone[:4] for o in orgs if o.contact_phone.startswith("0")} >= {"0818", "0437", "023-",
                                                                                       "0915", "0834"}


def test_seed_demo_household_statuses_exist_after_2020(seeded):
    households = _db.session.scalars(select(Household)).all()
    statuses = {h.status for h in households}
    assert statuses == {"lifted", "monitored", "edge", "sudden_hardship"}
    assert all(h.lifted_year for h in households if h.status in ("lifted", "monitored"))


def test_seed_demo_sales_lie_in_their_seasons_over_the_last_twelve_months(seeded):
    today = date.today()
    months = {demo_data.ORDERS[i][0]: demo_data.ORDERS[i][4] for i in range(len(demo_data.ORDERS))}
    product_keys = {p[2]: p[0] for p in demo_data.PRODUCTS}
    seen = set()
    for order in _db.session.scalars(select(Order).where(Order.paid_at.is_not(None))):
        paid_on = order.paid_at.astimezone(LOCAL_TZ).date()
        month = months[order.note.removeprefix("demo:")]
        assert today - timedelta(days=366) < paid_on <= today, (order.note, paid_on)
        if month is None:
            continue
        assert paid_on.month == month and order.placed_at < order.paid_at, (order.note, paid_on)
        for line in order.lines:
            key = product_keys[_db.session.get(Product, line.product_id).name]
            assert month in demo_data.SEASONS.get(key, range(1, 13)), (order.note, key, month)
        seen.add(paid_on.month)
    assert len(seen) >= 8


def test_seed_demo_income_is_posted_on_the_days_the_sales_were_paid(seeded):
    """Payment and attribution postings carry the transfer's value date (the order's paid day), so
    monthly income shows the months the sales happened, last year's included."""
    from marketplace.ledger.models import JournalEntry, Posting

    paid_on = {o.id: o.paid_at.astimezone(LOCAL_TZ).date()
               for o in _db.session.scalars(select(Order).where(Order.paid_at.is_not(None)))}
    rows = _db.session.execute(select(JournalEntry.order_id, Posting.created_at)
                               .join(Posting, Posting.entry_id == JournalEntry.id)
                               .where(JournalEntry.kind.in_(("payment", "attribution")))).all()
    assert {order_id for order_id, _ in rows} == set(paid_on)
    assert all(at.astimezone(LOCAL_TZ).date() == paid_on[order_id] for order_id, at in rows)
    assert len({at.astimezone(LOCAL_TZ).year for _, at in rows}) == 2 or date.today().month == 12


def test_seed_demo_evidence_is_a_pdf_the_app_serves(seeded, client, app):
    base = app.config["PUBLIC_BASE_URL"].rstrip("/") + "/api/v1/files/evidence/"
    urls = [url for cert in _db.session.scalars(select(Certification)) for url in cert.evidence_urls]
    assert len(urls) == len(demo_data.PRODUCTS) and all(url.startswith(base) for url in urls)
    for url in urls:
        resp = client.get(url.removeprefix(app.config["PUBLIC_BASE_URL"].rstrip("/")))
        assert resp.status_code == 200 and resp.content_type == "application/pdf"
        assert resp.data.startswith(b"%PDF-1.4") and b"Supplier credit code: " in resp.data


def test_seed_demo_prints_its_year_and_sources_one_line_each(seeded):
    output = seeded[0]
    assert f"demo data ready ({date.today().year})" in output
    lines = output.splitlines()
    for subject, period, source in demo_data.SOURCES:
        assert f"  {subject}: {period}: {source}" in lines
    assert any(line.startswith("  monitoring line: 2021: 6000 yuan") for line in lines)
    assert any(line.startswith("  sales: ") and "season" in line for line in lines)
