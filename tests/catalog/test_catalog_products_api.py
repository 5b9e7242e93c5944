"""Products: create, read, edit, archive; visibility and ownership; mass assignment."""
import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalog.models import Product
from tests.factories import DEFAULT_VILLAGE
from tests.helpers import assert_problem

VALID = {"name": "万源富硒茶", "category": "tea", "origin_region_code": DEFAULT_VILLAGE,
         "description": "高山云雾茶", "images": ["https://img.example.cn/1.jpg"], "shelf_life_days": 365,
         "storage": "阴凉干燥处"}


@pytest.fixture
def supplier(make_org, make_user):
    org = make_org(kind="cooperative")
    return make_user(role="supplier_manager", org=org)


def test_categories_public(api):
    resp = api.get("/categories")
    assert resp.status_code == 200
    codes = [c["code"] for c in resp.get_json()]
    assert codes[:3] == ["tea", "konjac", "fungi"] and "other" in codes
    assert resp.get_json()[0] == {"code": "tea", "name_zh": "茶叶", "name_en": "Tea"}


def test_create_product_starts_draft(api, db, supplier, make_region):
    make_region(DEFAULT_VILLAGE)
    resp = api.post("/products", supplier, json=VALID)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "draft" and body["supplier_id"] == supplier.organization_id
    assert body["orderable"] is False and body["certification"] is None
    assert [s["level"] for s in body["origin_region_path"]] == ["province", "city", "county", "township", "village"]
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "product.create"))


def test_create_product_unverified_supplier_forbidden(api, make_org, make_user, make_region):
    make_region(DEFAULT_VILLAGE)
    user = make_user(role="supplier_manager", org=make_org(status="pending"))
    assert_problem(api.post("/products", user, json=VALID), 403)


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "x" * 201), ("category", "gold"), ("origin_region_code", "51"),
    ("origin_region_code", "51178110"), ("images", ["ftp://example.cn/a.jpg"]), ("images", ["not a url"]),
    ("images", [f"https://example.cn/{i}.jpg" for i in range(11)]), ("shelf_life_days", 0),
    ("shelf_life_days", 3651), ("shelf_life_days", "30"), ("shelf_life_days", 1.5), ("shelf_life_days", True),
])
def test_create_product_validation_names_field(api, supplier, make_region, field, value):
    make_region(DEFAULT_VILLAGE)
    assert_problem(api.post("/products", supplier, json={**VALID, field: value}), 422, field)


@pytest.mark.parametrize("code", ["511781101999", "511782", "5117", "511781101"])
def test_create_product_origin_must_exist_and_be_county_or_village(api, supplier, make_region, code):
    make_region(DEFAULT_VILLAGE)
    make_region("511781101")  # a township: wrong level even though it exists
    resp = api.post("/products", supplier, json={**VALID, "origin_region_code": code})
    assert_problem(resp, 422, "origin_region_code")


def test_create_product_with_county_origin(api, supplier, make_region):
    make_region("511781")
    assert api.post("/products", supplier, json={**VALID, "origin_region_code": "511781"}).status_code == 201


@pytest.mark.parametrize("role,status", [
    (None, 401), ("admin", 403), ("auditor", 403), ("buyer_purchaser", 403), ("buyer_approver", 403),
])
def test_create_product_role_matrix(api, make_user, make_org, role, status):
    user = None
    if role:
        org = make_org(kind="canteen") if role.startswith("buyer") else None
        user = make_user(role=role, org=org)
    assert_problem(api.post("/products", user, json=VALID), status)


def test_get_orderable_product_public(api, make_product, make_sku):
    product = make_product(name="黑木耳")
    make_sku(product=product, price_fen=2500)
    body = api.get(f"/products/{product.id}").get_json()
    assert body["orderable"] is True and body["min_price_fen"] == 2500
    assert body["certification"]["status"] == "approved" and body["certification"]["certificate_no"]
    assert body["origin_region_path"][0] == {"code": "51", "name": "四川省", "level": "province"}


@pytest.mark.parametrize("viewer,status", [
    ("anonymous", 404), ("buyer", 404), ("other_supplier", 404), ("owner", 200), ("admin", 200),
    ("admin_in_scope", 200), ("admin_out_of_scope", 404), ("auditor", 200),
])
def test_get_unorderable_product_visibility(api, make_product, make_user, make_org, viewer, status):
    product = make_product(status="draft", certified=False)
    users = {
        "anonymous": lambda: None,
        "buyer": lambda: make_user(role="buyer_purchaser", org=make_org(kind="school")),
        "other_supplier": lambda: make_user(role="supplier_manager", org=make_org()),
        "owner": lambda: make_user(role="supplier_manager", org=product.supplier),
        "admin": lambda: make_user(role="admin"),
        "admin_in_scope": lambda: make_user(role="admin", region_scope="5117"),
        "admin_out_of_scope": lambda: make_user(role="admin", region_scope="52"),
        "auditor": lambda: make_user(role="auditor"),
    }
    resp = api.get(f"/products/{product.id}", users[viewer]())
    assert resp.status_code == status


def test_patch_product_own(api, db, make_product, make_user):
    product = make_product()
    owner = make_user(role="supplier_manager", org=product.supplier)
    resp = api.patch(f"/products/{product.id}", owner, json={"name": "新名字", "images": []})
    assert resp.status_code == 200 and resp.get_json()["name"] == "新名字"


@pytest.mark.parametrize("field,value", [("status", "active"), ("supplier_id", 999), ("stock", 5),
                                         ("sales_count", 10**6), ("id", 77)])
def test_patch_product_mass_assignment_rejected(api, db, make_product, make_user, field, value):
    product = make_product(status="draft")
    owner = make_user(role="supplier_manager", org=product.supplier)
    assert_problem(api.patch(f"/products/{product.id}", owner, json={field: value, "name": "x"}), 422, field)
    db.session.expire_all()
    row = db.session.get(Product, product.id)
    assert (row.status, row.supplier_id, row.name) == ("draft", product.supplier_id, product.name)


@pytest.mark.parametrize("role,status", [(None, 401), ("buyer_purchaser", 403), ("admin", 403),
                                         ("other_supplier", 404)])
def test_patch_product_role_matrix(api, make_product, make_user, make_org, role, status):
    product = make_product()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen") if role.startswith("buyer") else None)
    assert_problem(api.patch(f"/products/{product.id}", user, json={"name": "x"}), status)


def test_archive_publish_lifecycle(api, db, make_product, make_user):
    product = make_product(status="draft")
    owner = make_user(role="supplier_manager", org=product.supplier)
    resp = api.post(f"/products/{product.id}/publish", owner)
    assert resp.status_code == 200 and resp.get_json()["status"] == "active" and resp.get_json()["orderable"]
    assert api.delete(f"/products/{product.id}", owner).status_code == 204
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == "archived"
    body = assert_problem(api.post(f"/products/{product.id}/publish", owner), 409)
    assert body["current_state"] == "archived"
    assert_problem(api.patch(f"/products/{product.id}", owner, json={"name": "x"}), 409)
    assert_problem(api.get(f"/products/{product.id}"), 404)


@pytest.mark.parametrize("role,status", [(None, 401), ("buyer_purchaser", 403), ("other_supplier", 404)])
def test_archive_role_matrix(api, make_product, make_user, make_org, role, status):
    product = make_product()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen"))
    assert_problem(api.delete(f"/products/{product.id}", user), status)


def test_unknown_product_404(api):
    assert_problem(api.get("/products/999999"), 404)
