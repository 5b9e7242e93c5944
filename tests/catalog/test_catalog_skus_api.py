"""SKUs, stock adjustments (conditional UPDATE, never below zero) and their audit trail."""
import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalog.models import Sku, StockAdjustment
from marketplace.core.money import MAX_FEN
from tests.helpers import assert_problem

SKU = {"name": "250克袋装", "unit": "袋", "price_fen": 3800, "stock": 50, "min_order_qty": 2}


@pytest.fixture
def owned(make_product, make_user):
    product = make_product()
    return product, make_user(role="supplier_manager", org=product.supplier)


def test_create_sku(api, owned):
    product, owner = owned
    resp = api.post(f"/products/{product.id}/skus", owner, json=SKU)
    assert resp.status_code == 201
    assert resp.get_json()["stock"] == 50 and resp.get_json()["min_order_qty"] == 2
    assert api.get(f"/products/{product.id}").get_json()["skus"][0]["price_fen"] == 3800


@pytest.mark.parametrize("value", [0, -1, 10**30, MAX_FEN + 1, "12", 12.5, "12.5", True, None])
def test_create_sku_bad_price_names_field(api, owned, value):
    product, owner = owned
    assert_problem(api.post(f"/products/{product.id}/skus", owner, json={**SKU, "price_fen": value}), 422,
                   "price_fen")


@pytest.mark.parametrize("field,value", [("stock", -1), ("stock", 10**30), ("stock", "5"), ("min_order_qty", 0),
                                         ("min_order_qty", 10**6 + 1), ("name", ""), ("unit", "x" * 21)])
def test_create_sku_validation(api, owned, field, value):
    product, owner = owned
    assert_problem(api.post(f"/products/{product.id}/skus", owner, json={**SKU, field: value}), 422, field)


@pytest.mark.parametrize("role,status", [(None, 401), ("buyer_purchaser", 403), ("admin", 403),
                                         ("other_supplier", 404)])
def test_create_sku_role_matrix(api, make_product, make_user, make_org, role, status):
    product = make_product()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen") if role.startswith("buyer") else None)
    assert_problem(api.post(f"/products/{product.id}/skus", user, json=SKU), status)


def test_patch_sku_price_audited(api, db, owned, make_sku):
    product, owner = owned
    sku = make_sku(product=product, price_fen=1000)
    resp = api.patch(f"/skus/{sku.id}", owner, json={"price_fen": 1200, "name": "新规格"})
    assert resp.status_code == 200 and resp.get_json()["price_fen"] == 1200
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "sku.price_change"))
    assert event.before["price_fen"] == 1000 and event.after["price_fen"] == 1200


@pytest.mark.parametrize("field,value", [("stock", 999), ("product_id", 1), ("id", 5)])
def test_patch_sku_stock_not_settable(api, db, owned, make_sku, field, value):
    product, owner = owned
    sku = make_sku(product=product, stock=7)
    assert_problem(api.patch(f"/skus/{sku.id}", owner, json={field: value}), 422, field)
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == 7


@pytest.mark.parametrize("value", [0, -5, 10**30, "12", 12.5, False])
def test_patch_sku_bad_price(api, owned, make_sku, value):
    product, owner = owned
    sku = make_sku(product=product)
    assert_problem(api.patch(f"/skus/{sku.id}", owner, json={"price_fen": value}), 422, "price_fen")


@pytest.mark.parametrize("role,status", [(None, 401), ("buyer_purchaser", 403), ("other_supplier", 404)])
def test_patch_sku_role_matrix(api, make_sku, make_user, make_org, role, status):
    sku = make_sku()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen"))
    assert_problem(api.patch(f"/skus/{sku.id}", user, json={"price_fen": 5}), status)


def test_stock_adjustment_up_and_down(api, db, owned, make_sku):
    product, owner = owned
    sku = make_sku(product=product, stock=10)
    resp = api.post(f"/skus/{sku.id}/stock-adjustments", owner, json={"delta": 5, "reason": "新采收"})
    assert resp.status_code == 201 and resp.get_json()["stock_after"] == 15
    resp = api.post(f"/skus/{sku.id}/stock-adjustments", owner, json={"delta": -15, "reason": "盘点损耗"})
    assert resp.status_code == 201 and resp.get_json()["stock_after"] == 0
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == 0
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "sku.stock_adjust")).all()
    assert [(e.before["stock"], e.after["stock"]) for e in events] == [(10, 15), (15, 0)]


def test_stock_adjustment_below_zero_conflict_and_unchanged(api, db, owned, make_sku):
    product, owner = owned
    sku = make_sku(product=product, stock=3)
    body = assert_problem(api.post(f"/skus/{sku.id}/stock-adjustments", owner, json={"delta": -4, "reason": "x"}),
                          409)
    assert body["available"] == 3 and body["sku_id"] == sku.id
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == 3
    assert db.session.scalar(db.select(db.func.count()).select_from(StockAdjustment)) == 0


def test_stock_adjustment_above_ceiling_422(api, db, owned, make_sku):
    product, owner = owned
    sku = make_sku(product=product, stock=10**9)
    assert_problem(api.post(f"/skus/{sku.id}/stock-adjustments", owner, json={"delta": 1, "reason": "x"}), 422,
                   "delta")


@pytest.mark.parametrize("payload,field", [
    ({"delta": 0, "reason": "x"}, "delta"), ({"delta": 10**9 + 1, "reason": "x"}, "delta"),
    ({"delta": -(10**30), "reason": "x"}, "delta"), ({"delta": "5", "reason": "x"}, "delta"),
    ({"delta": 1.5, "reason": "x"}, "delta"), ({"delta": 1, "reason": ""}, "reason"),
    ({"delta": 1, "reason": "x" * 201}, "reason"), ({"delta": 1}, "reason"),
])
def test_stock_adjustment_validation(api, owned, make_sku, payload, field):
    product, owner = owned
    sku = make_sku(product=product)
    assert_problem(api.post(f"/skus/{sku.id}/stock-adjustments", owner, json=payload), 422, field)


@pytest.mark.parametrize("role,status", [(None, 401), ("admin", 403), ("buyer_approver", 403),
                                         ("other_supplier", 404)])
def test_stock_adjustment_role_matrix(api, make_sku, make_user, make_org, role, status):
    sku = make_sku()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen") if role.startswith("buyer") else None)
    assert_problem(api.post(f"/skus/{sku.id}/stock-adjustments", user, json={"delta": 1, "reason": "x"}), status)


def test_unknown_sku_404(api, owned):
    _, owner = owned
    assert_problem(api.patch("/skus/99999", owner, json={"name": "x"}), 404)
