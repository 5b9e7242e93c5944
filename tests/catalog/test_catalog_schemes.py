"""Attribution schemes: versioned, sum to 10000, resolution product → supplier default → built-in."""
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.catalog.models import AttributionScheme
from marketplace.catalog.services import DEFAULT_SCHEME, current_scheme_for
from tests.helpers import assert_problem

SCHEME = {"households_by_supply_bp": 5000, "households_by_shares_bp": 2000, "collective_bp": 1000,
          "supplier_bp": 2000, "supply_lookback_days": 180}


@pytest.fixture
def owned(make_product, make_user):
    product = make_product()
    return product, make_user(role="supplier_manager", org=product.supplier)


def test_put_creates_versions(api, owned):
    product, owner = owned
    first = api.put(f"/products/{product.id}/attribution-scheme", owner, json=SCHEME)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    second = api.put(f"/products/{product.id}/attribution-scheme", owner, json={**SCHEME, "collective_bp": 0,
                                                                                 "supplier_bp": 3000})
    assert second.get_json()["version"] == 2 and second.get_json()["source"] == "product"
    body = api.get(f"/products/{product.id}/attribution-scheme", owner).get_json()
    assert body["current"]["version"] == 2 and body["current"]["supplier_bp"] == 3000
    assert [v["version"] for v in body["versions"]] == [2, 1]


def test_get_without_versions_returns_builtin(api, owned):
    product, owner = owned
    body = api.get(f"/products/{product.id}/attribution-scheme", owner).get_json()
    assert body["versions"] == []
    assert body["current"]["source"] == "builtin" and body["current"]["id"] is None
    current = body["current"]
    # the documented default, written out: 60 % by supply, 0 % by shares, 10 % collective, 30 % supplier, 365 days
    assert (current["households_by_supply_bp"], current["households_by_shares_bp"], current["collective_bp"],
            current["supplier_bp"], current["supply_lookback_days"], current["version"]) == (6000, 0, 1000, 3000,
                                                                                           365, 0)


@pytest.mark.parametrize("change,field", [
    ({"supplier_bp": 2001}, "_schema"), ({"supplier_bp": -1}, "supplier_bp"),
    ({"collective_bp": 10001}, "collective_bp"),
    ({"collective_bp": "1000"}, "collective_bp"), ({"collective_bp": 1000.0}, "collective_bp"),
    ({"supply_lookback_days": 0}, "supply_lookback_days"), ({"supply_lookback_days": 731}, "supply_lookback_days"),
    ({"version": 9}, "version"),
])
def test_put_validation(api, owned, change, field):
    product, owner = owned
    assert_problem(api.put(f"/products/{product.id}/attribution-scheme", owner, json={**SCHEME, **change}), 422,
                   field)


def test_put_missing_share(api, owned):
    product, owner = owned
    payload = {k: v for k, v in SCHEME.items() if k != "collective_bp"}
    assert_problem(api.put(f"/products/{product.id}/attribution-scheme", owner, json=payload), 422, "collective_bp")


@pytest.mark.parametrize("role,method,status", [
    (None, "put", 401), ("admin", "put", 403), ("buyer_purchaser", "put", 403), ("other_supplier", "put", 404),
    (None, "get", 401), ("buyer_purchaser", "get", 403), ("other_supplier", "get", 404), ("admin", "get", 200),
    ("admin_out_of_scope", "get", 404),
])
def test_scheme_role_matrix(api, make_product, make_user, make_org, role, method, status):
    product = make_product()
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role == "admin_out_of_scope":
        user = make_user(role="admin", region_scope="11")
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen") if role.startswith("buyer") else None)
    resp = getattr(api, method)(f"/products/{product.id}/attribution-scheme", user, json=SCHEME)
    assert resp.status_code == status


def test_current_scheme_for_resolution(db, make_product):
    product = make_product()
    supplier_id = product.supplier_id
    assert current_scheme_for(product_id=product.id, supplier_id=supplier_id).source == "builtin"
    default = AttributionScheme(product_id=None, supplier_id=supplier_id, version=1, **SCHEME)
    db.session.add(default)
    db.session.commit()
    assert current_scheme_for(product_id=product.id, supplier_id=supplier_id).id == default.id
    own = AttributionScheme(product_id=product.id, supplier_id=supplier_id, version=1, **SCHEME)
    db.session.add(own)
    db.session.commit()
    found = current_scheme_for(product_id=product.id, supplier_id=supplier_id)
    assert (found.id, found.version, found.supply_lookback_days) == (own.id, 1, 180)
    before = datetime.now(UTC) - timedelta(days=1)
    assert current_scheme_for(product_id=product.id, supplier_id=supplier_id, at=before).source == "builtin"
    builtin = DEFAULT_SCHEME
    assert (builtin.households_by_supply_bp, builtin.households_by_shares_bp, builtin.collective_bp,
            builtin.supplier_bp, builtin.supply_lookback_days, builtin.version) == (6000, 0, 1000, 3000, 365, 0)
