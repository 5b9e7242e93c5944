"""The county rule: suppliers and product origins lie in a formerly poor county; buyers anywhere."""
import itertools

import pytest

from marketplace.catalog.models import Product
from marketplace.geography.models import Region
from marketplace.geography.services import flag_poverty_counties
from tests.factories import DEFAULT_VILLAGE, make_uscc
from tests.helpers import assert_problem

RICH_COUNTY = "510104"  # 成都市 锦江区: never a poor county
RICH_VILLAGE = RICH_COUNTY + "001001"
_n = itertools.count(950_000)


@pytest.fixture
def rich(make_region):
    make_region(RICH_VILLAGE)
    return make_region(RICH_COUNTY, name="锦江区", poverty_county=False)


def _registration(kind, region_code):
    n = next(_n)
    return {"kind": kind, "name": f"{kind} {n}", "uscc": make_uscc(n), "region_code": region_code,
            "contact_name": "王五", "contact_phone": "13800000000",
            "manager": {"email": f"rule{n}@example.cn", "password": "a-long-password", "name": "王经理"}}


@pytest.mark.parametrize("kind,code", [("cooperative", RICH_COUNTY), ("enterprise", RICH_COUNTY),
                                       ("collective", RICH_VILLAGE)])
def test_supplier_registration_outside_a_formerly_poor_county_422(api, rich, kind, code):
    body = assert_problem(api.post("/organizations", json=_registration(kind, code)), 422, "region_code")
    assert "510104 is not a formerly poor county" in body["detail"]
    assert "not a formerly poor county" in body["errors"]["region_code"][0]


def test_supplier_registration_in_a_formerly_poor_county_201(api, rich, make_region):
    make_region(DEFAULT_VILLAGE)
    assert api.post("/organizations", json=_registration("cooperative", DEFAULT_VILLAGE[:6])).status_code == 201


@pytest.mark.parametrize("kind", ["canteen", "school", "hospital", "union"])
def test_buyers_register_anywhere(api, rich, kind):
    assert api.post("/organizations", json=_registration(kind, RICH_COUNTY)).status_code == 201


VALID = {"name": "锦江茶", "category": "tea", "description": "d", "images": [], "shelf_life_days": 30,
         "storage": "常温"}


@pytest.fixture
def supplier(make_org, make_user):
    return make_user(role="supplier_manager", org=make_org(kind="cooperative"))


@pytest.mark.parametrize("origin", [RICH_COUNTY, RICH_VILLAGE])
def test_product_origin_outside_a_formerly_poor_county_422(api, db, rich, supplier, origin):
    body = assert_problem(api.post("/products", supplier, json={**VALID, "origin_region_code": origin}), 422,
                          "origin_region_code")
    assert "not a formerly poor county" in body["errors"]["origin_region_code"][0]
    assert db.session.query(Product).count() == 0


def test_product_origin_change_outside_a_formerly_poor_county_422(api, db, rich, make_product, make_user):
    product = make_product()
    owner = make_user(role="supplier_manager", org=product.supplier)
    resp = api.patch(f"/products/{product.id}", owner, json={"origin_region_code": RICH_VILLAGE})
    assert_problem(resp, 422, "origin_region_code")
    db.session.expire_all()
    assert db.session.get(Product, product.id).origin_region_code != RICH_VILLAGE


def test_product_origin_in_a_county_unflagged_by_an_admin_422(api, db, supplier, make_region):
    make_region(DEFAULT_VILLAGE)
    make_region(DEFAULT_VILLAGE[:6], poverty_county=False)
    resp = api.post("/products", supplier, json={**VALID, "origin_region_code": DEFAULT_VILLAGE})
    assert_problem(resp, 422, "origin_region_code")


def test_flag_poverty_counties_reads_the_bundled_list(db, make_region, tmp_path):
    make_region("220422", poverty_county=False)
    make_region("500114", poverty_county=True, lifted_year=2018)
    make_region(RICH_COUNTY, poverty_county=False)
    listing = tmp_path / "poverty_counties.csv"
    listing.write_text("# a comment\ncode,name,lifted_year\n220422,东辽县,2019\n500114,黔江区,2017\n",
                       encoding="utf-8")
    assert flag_poverty_counties(listing) == 1
    assert (db.session.get(Region, "220422").poverty_county, db.session.get(Region, "220422").lifted_year) == \
        (True, 2019)
    assert db.session.get(Region, "500114").lifted_year == 2018  # already flagged: left alone
    assert db.session.get(Region, RICH_COUNTY).poverty_county is False
    assert flag_poverty_counties(tmp_path / "missing.csv") == 0
