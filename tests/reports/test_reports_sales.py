"""/reports/sales on the hand-built dataset (figures worked out in reports_dataset.py)."""
import pytest

from tests.helpers import assert_problem
from tests.reports.reports_dataset import FORMULA_SUPPLIER, ds_fixture  # noqa: F401

MEASURES = ("quantity", "refunded_quantity", "gross_fen", "refunded_fen", "net_fen")


def sales(api, user, **query):
    resp = api.get("/reports/sales", user, query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def assert_totals_are_row_sums(body):
    for m in MEASURES:
        assert body["totals"][m] == sum(row[m] for row in body["rows"]), m


def test_sales_by_county_month_figures_in_shanghai_time(api, ds):
    # when
    body = sales(api, ds.users["admin"], group_by="county,month", year=2024)
    # then: O1 paid 2024-01-31 16:30Z is February in Shanghai; O3 unpaid and O4 (2023) are left out
    assert body["rows"] == [
        {"county": "511722", "county_name": "宣汉县", "month": "2024-03", "orders": 1, "quantity": 2,
         "refunded_quantity": 0, "gross_fen": 10000, "refunded_fen": 0, "net_fen": 10000},
        {"county": "511781", "county_name": "万源市", "month": "2024-02", "orders": 1, "quantity": 15,
         "refunded_quantity": 1, "gross_fen": 25000, "refunded_fen": 1500, "net_fen": 23500},
        {"county": "511781", "county_name": "万源市", "month": "2024-03", "orders": 2, "quantity": 5,
         "refunded_quantity": 1, "gross_fen": 8000, "refunded_fen": 2000, "net_fen": 6000},
    ]
    # O2 spans both counties: the totals count it once
    assert body["totals"] == {"orders": 3, "quantity": 22, "refunded_quantity": 2, "gross_fen": 43000,
                              "refunded_fen": 3500, "net_fen": 39500}
    assert_totals_are_row_sums(body)
    assert body["period"] == {"from": "2024-01-01", "to": "2024-12-31"}


def test_sales_by_day_and_week_use_local_dates(api, ds):
    days = sales(api, ds.users["admin"], group_by="day", year=2024)["rows"]
    assert [(r["day"], r["gross_fen"]) for r in days] == [("2024-02-01", 25000), ("2024-03-10", 16000),
                                                           ("2024-03-20", 2000)]
    weeks = sales(api, ds.users["admin"], group_by="week", year=2024)["rows"]
    # Mondays: Thu 2024-02-01 -> 01-29; Sun 2024-03-10 -> 03-04; Wed 2024-03-20 -> 03-18
    assert [r["week"] for r in weeks] == ["2024-01-29", "2024-03-04", "2024-03-18"]


def test_sales_from_to_includes_the_last_local_day(api, ds):
    # O4 is 2023-12-31 23:59 in Shanghai
    body = sales(api, ds.users["admin"], group_by="month", **{"from": "2023-12-31", "to": "2023-12-31"})
    assert body["rows"] == [{"month": "2023-12", "orders": 1, "quantity": 1, "refunded_quantity": 0,
                             "gross_fen": 1500, "refunded_fen": 0, "net_fen": 1500}]


def test_sales_by_village_and_category(api, ds):
    body = sales(api, ds.users["admin"], group_by="village,category", year=2024)
    assert [(r["village"], r["village_name"], r["category"], r["net_fen"]) for r in body["rows"]] == [
        ("511722100001", "白马村", "honey", 10000),
        ("511781101001", "石塘村", "tea", 19500),
        ("511781101002", "青龙村", "fungi", 10000),
    ]
    assert_totals_are_row_sums(body)


def test_sales_by_supplier_buyer_product_use_snapshots(api, ds, db):
    # given: the catalog renames a product after the sale
    ds.products["P1"].name = "改名后的茶"
    db.session.commit()
    # when
    by_product = sales(api, ds.users["admin"], group_by="product", year=2024)["rows"]
    by_supplier = sales(api, ds.users["admin"], group_by="supplier,buyer_kind", year=2024)["rows"]
    by_buyer = sales(api, ds.users["admin"], group_by="buyer", year=2024)["rows"]
    # then
    assert [(r["product_name"], r["quantity"]) for r in by_product] == [("富硒绿茶", 14), ("黑木耳", 6), ("土蜂蜜", 2)]
    assert [(r["supplier_name"], r["buyer_kind"], r["gross_fen"]) for r in by_supplier] == [
        ("万源富硒茶合作社", "canteen", 25000), ("万源富硒茶合作社", "school", 8000),
        (FORMULA_SUPPLIER, "school", 10000)]
    assert [(r["buyer_name"], r["orders"], r["net_fen"]) for r in by_buyer] == [
        ("万源市机关食堂", 1, 23500), ("宣汉县第一中学", 2, 16000)]


def test_sales_category_filter(api, ds):
    body = sales(api, ds.users["admin"], group_by="county", year=2024, category="fungi")
    assert body["rows"] == [{"county": "511781", "county_name": "万源市", "orders": 2, "quantity": 6,
                             "refunded_quantity": 1, "gross_fen": 12000, "refunded_fen": 2000, "net_fen": 10000}]


def test_sales_county_admin_sees_only_its_county(api, ds):
    # when: no region, and a wider region, are both narrowed to the scope
    for query in ({}, {"region": "51"}):
        body = sales(api, ds.users["county_a"], group_by="county,month", year=2024, **query)
        # then
        assert {r["county"] for r in body["rows"]} == {"511781"}
        assert body["totals"]["gross_fen"] == 33000
        assert body["region"] == "511781"
        assert_totals_are_row_sums(body)


def test_sales_region_outside_scope_is_404(api, ds):
    resp = api.get("/reports/sales", ds.users["county_a"], query_string={"region": "511722", "year": 2024})
    assert_problem(resp, 404)


def test_sales_region_inside_scope_narrows(api, ds):
    body = sales(api, ds.users["county_a"], group_by="village", year=2024, region="511781101002")
    assert [r["village"] for r in body["rows"]] == ["511781101002"]


@pytest.mark.parametrize("query,field", [
    ({"group_by": "county,month,day"}, "group_by"),
    ({"group_by": "colour"}, "group_by"),
    ({"group_by": "county,county"}, "group_by"),
    ({"group_by": ""}, "group_by"),
    ({"from": "2020-01-01", "to": "2023-01-01"}, "to"),
    ({"from": "2024-02-01", "to": "2024-01-01"}, "to"),
    ({"from": "2024-02-01"}, "to"),
    ({"year": 2024, "from": "2024-01-01", "to": "2024-02-01"}, "year"),
    ({"year": 1999}, "year"),
    ({"region": "51ab"}, "region"),
    ({"region": "5"}, "region"),
    ({"format": "pdf"}, "format"),
    ({"category": "gold"}, "category"),
])
def test_sales_bad_query_is_422_naming_the_field(api, ds, query, field):
    resp = api.get("/reports/sales", ds.users["admin"], query_string=query)
    assert_problem(resp, 422, field)


def test_sales_three_years_exactly_is_accepted(api, ds):
    body = sales(api, ds.users["admin"], group_by="month", **{"from": "2022-01-01", "to": "2024-12-31"})
    assert body["totals"]["gross_fen"] == 44500
