"""Lists never include foreign rows; a region-scoped admin is confined to its prefix; privileged fields
(status, role, region_scope, organization_id, stock, supplier_id) sent by a caller are rejected (422) or
ignored, and the row is unchanged. Against the demo data (one world per module)."""
import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, Sku
from marketplace.extensions import db as _db
from marketplace.households.models import Household, Membership, SupplyRecord
from marketplace.orders.models import Fulfilment, Order
from marketplace.organizations.models import Organization

ALL = {"page_size": 100}


@pytest.fixture(scope="module")
def client(demo_world):
    return demo_world.app.test_client()


def get_items(client, world, who, path, **query):
    resp = client.get("/api/v1" + path, query_string={**ALL, **query}, headers=world.headers(who))
    assert resp.status_code == 200, (who, path, resp.get_data(as_text=True))
    body = resp.get_json()
    assert body["total"] <= 100, "more rows than one page: raise page_size or page through"
    return body["items"]


def scalars(world, stmt):
    with world.app.app_context():
        return list(_db.session.scalars(stmt))


# --- lists never include foreign rows ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["buyer_purchaser", "buyer_approver", "other_buyer"])
def test_buyer_order_and_fulfilment_lists_hold_only_own_organization(client, demo_world, who):
    org = demo_world.user(who)["organization_id"]
    orders = get_items(client, demo_world, who, "/orders")
    assert orders and {o["buyer_org_id"] for o in orders} == {org} if "buyer_org_id" in orders[0] else orders
    own_ids = set(scalars(demo_world, select(Order.id).where(Order.buyer_org_id == org)))
    assert {o["id"] for o in orders} == own_ids
    fulfilments = get_items(client, demo_world, who, "/fulfilments")
    own_fulfilments = set(scalars(demo_world, select(Fulfilment.id).where(Fulfilment.order_id.in_(own_ids))))
    assert {f["id"] for f in fulfilments} == own_fulfilments


@pytest.mark.parametrize("who", ["supplier_manager", "other_supplier"])
def test_supplier_lists_hold_only_own_fulfilments_lines_and_links(client, demo_world, who):
    org = demo_world.user(who)["organization_id"]
    fulfilments = get_items(client, demo_world, who, "/fulfilments")
    assert fulfilments and {f["supplier_id"] for f in fulfilments} == {org}
    orders = get_items(client, demo_world, who, "/orders")
    assert orders
    for order in orders:
        assert {line["supplier_id"] for line in order["lines"]} == {org}, order["id"]
        assert {f["supplier_id"] for f in order.get("fulfilments", [])} <= {org}
    certifications = get_items(client, demo_world, who, "/certifications")
    own_products = set(scalars(demo_world, select(Product.id).where(Product.supplier_id == org)))
    assert certifications and {c["product_id"] for c in certifications} <= own_products
    households = get_items(client, demo_world, who, "/households")
    linked = set(scalars(demo_world, select(Membership.household_id).where(Membership.organization_id == org)))
    linked |= set(scalars(demo_world, select(SupplyRecord.household_id).where(SupplyRecord.organization_id == org)))
    assert households and {h["id"] for h in households} <= linked
    records = get_items(client, demo_world, who, f"/organizations/{org}/supply-records")
    assert records and all(r.get("organization_id", org) == org for r in records)


def test_supplier_cannot_list_another_suppliers_links(client, demo_world):
    other = demo_world.user("other_supplier")["organization_id"]
    for path in (f"/organizations/{other}/members", f"/organizations/{other}/supply-records"):
        resp = client.get("/api/v1" + path, headers=demo_world.headers("supplier_manager"))
        assert resp.status_code == 404, path


# --- a region-scoped admin stays under its prefix -----------------------------------------------------------------

SCOPED = "scoped_admin"  # 万源市 511781


def test_scoped_admin_lists_confined_to_prefix(client, demo_world):
    scope = demo_world.user(SCOPED)["region_scope"]
    assert scope == "511781"
    households = get_items(client, demo_world, SCOPED, "/households")
    assert households and all(h["village_code"].startswith(scope) for h in households)
    organizations = get_items(client, demo_world, SCOPED, "/organizations")
    assert organizations and all(o["region_code"].startswith(scope) for o in organizations)
    orders = get_items(client, demo_world, SCOPED, "/orders")
    assert orders
    for order in orders:
        # under the scope: the buyer, or at least one line's origin
        in_scope_line = any(line["origin_region_code"].startswith(scope) for line in order["lines"])
        assert in_scope_line or order["buyer_region_code"].startswith(scope), order["id"]
    events = get_items(client, demo_world, SCOPED, "/audit-events")
    assert all((e.get("region_code") or scope).startswith(scope) for e in events)


def test_scoped_admin_gets_404_outside_its_prefix(client, demo_world):
    headers = demo_world.headers(SCOPED)
    outside_household = scalars(demo_world, select(Household.id).where(~Household.village_code.startswith("511781")))[0]
    outside_org = scalars(demo_world, select(Organization.id).where(~Organization.region_code.startswith("511781"))
                          .where(Organization.status == "verified"))[0]
    checks = [
        ("GET", f"/households/{outside_household}", None),
        ("PATCH", f"/households/{outside_household}", {"members": 9}),
        ("GET", f"/organizations/{outside_org}", None),
        ("POST", f"/organizations/{outside_org}/suspend", None),
        ("PATCH", "/regions/220422101201", {"poverty_village": False}),
    ]
    for method, path, body in checks:
        resp = client.open("/api/v1" + path, method=method, json=body, headers=headers)
        assert resp.status_code == 404, (method, path, resp.status_code)
    with demo_world.app.app_context():
        assert _db.session.get(Organization, outside_org).status == "verified"


def test_scoped_admin_reports_outside_prefix_refused(client, demo_world):
    resp = client.get("/api/v1/reports/sales", query_string={"region": "220422"}, headers=demo_world.headers(SCOPED))
    assert resp.status_code in (403, 404, 422)


def test_scoped_admin_cannot_create_staff_beyond_its_scope(client, demo_world):
    for scope in ("", "51", "220422"):
        resp = client.post("/api/v1/users", headers=demo_world.headers(SCOPED), json={
            "email": f"staff{scope or 'n'}@demo.cn", "password": "long-password-1", "name": "员工", "role": "admin",
            "region_scope": scope})
        assert resp.status_code in (403, 422), (scope, resp.status_code)


# --- mass assignment ----------------------------------------------------------------------------------------------

def _row(world, model, id_, *cols):
    with world.app.app_context():
        row = _db.session.get(model, id_)
        return {c: getattr(row, c) for c in cols}


PRIVILEGED = {"status": "verified", "role": "admin", "region_scope": "", "organization_id": 1, "stock": 999999,
              "supplier_id": 1}


def test_mass_assignment_on_every_update_is_rejected_and_row_unchanged(client, demo_world):
    supplier = demo_world.user("supplier_manager")["organization_id"]
    buyer = demo_world.user("buyer_approver")["organization_id"]
    product = scalars(demo_world, select(Product.id).where(Product.supplier_id == supplier))[0]
    sku = scalars(demo_world, select(Sku.id).where(Sku.product_id == product))[0]
    household = scalars(demo_world, select(Household.id))[0]
    targets = [
        ("supplier_manager", "PATCH", f"/products/{product}", {"name": "改名"}, Product, product,
         ("status", "supplier_id", "name")),
        ("supplier_manager", "PATCH", f"/skus/{sku}", {"price_fen": 1234}, Sku, sku, ("stock", "price_fen")),
        ("supplier_manager", "PATCH", f"/organizations/{supplier}", {"contact_name": "新联系人"}, Organization,
         supplier, ("status", "contact_name")),
        ("buyer_approver", "PATCH", f"/organizations/{buyer}", {"contact_name": "新联系人"}, Organization, buyer,
         ("status", "contact_name")),
        ("admin", "PATCH", f"/households/{household}", {"members": 7}, Household, household, ("members", "status")),
    ]
    for who, method, path, valid, model, id_, cols in targets:
        before = _row(demo_world, model, id_, *cols)
        for field, value in PRIVILEGED.items():
            if field == "status" and model is Household:
                continue  # a household's status is a normal registry field an admin may edit
            resp = client.open("/api/v1" + path, method=method, json={**valid, field: value},
                               headers=demo_world.headers(who))
            assert resp.status_code == 422, (path, field, resp.status_code)
            assert field in resp.get_json().get("errors", {}), (path, field)
            assert _row(demo_world, model, id_, *cols) == before, (path, field)


def test_mass_assignment_on_creation_is_rejected(client, demo_world):
    base = {"name": "新产品", "category": "tea", "origin_region_code": "511781102201"}
    for field in ("status", "supplier_id", "stock"):
        resp = client.post("/api/v1/products", json={**base, field: PRIVILEGED[field]},
                           headers=demo_world.headers("supplier_manager"))
        assert resp.status_code == 422 and field in resp.get_json()["errors"], field
    resp = client.post("/api/v1/organizations", json={
        "kind": "canteen", "name": "自封食堂", "uscc": "91511700000000099X", "region_code": "511702",
        "contact_name": "张三", "contact_phone": "13800000000", "status": "verified",
        "manager": {"email": "self@demo.cn", "password": "long-password-1", "name": "经理", "role": "admin"}})
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert "status" in errors or "manager" in errors


def test_org_manager_cannot_mint_staff_or_users_of_other_orgs(client, demo_world):
    other = demo_world.user("other_buyer")["organization_id"]
    attempts = [{"role": "admin"}, {"role": "auditor"}, {"role": "buyer_purchaser", "organization_id": other},
                {"role": "supplier_manager"}]
    for n, extra in enumerate(attempts):
        resp = client.post("/api/v1/users", headers=demo_world.headers("buyer_approver"), json={
            "email": f"mint{n}@demo.cn", "password": "long-password-1", "name": "新人", **extra})
        assert resp.status_code in (403, 404, 422), (extra, resp.status_code)
    with demo_world.app.app_context():
        assert not _db.session.scalars(select(User).where(User.email.like("mint%"))).all()
    # region_scope sent for an organization user is ignored: the user is of the approver's org, no scope
    resp = client.post("/api/v1/users", headers=demo_world.headers("buyer_approver"), json={
        "email": "scoped-purchaser@demo.cn", "password": "long-password-1", "name": "新人", "role": "buyer_purchaser",
        "region_scope": "51"})
    assert resp.status_code == 201, resp.get_json()
    with demo_world.app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "scoped-purchaser@demo.cn"))
        own_org = demo_world.user("buyer_approver")["organization_id"]
        assert (user.region_scope, user.organization_id) == ("", own_org)
