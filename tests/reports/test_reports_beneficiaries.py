"""/reports/beneficiaries on the hand-built dataset: income from postings only, dated in Shanghai time."""
from tests.helpers import assert_problem
from tests.reports.reports_dataset import V1, V3, ds_fixture  # noqa: F401

MEASURES = ("households_benefited", "members_benefited", "household_income_fen", "operating_fen", "asset_fen",
            "collective_income_fen")
# V1: H1 6000 + 1500 - 600 = 6900 (operating 5400, asset 1500); H2 3000 (asset); collective 2000.
# 7 members in the two benefited households; 9900 // 2 = 4950 per household; 9900 // 7 = 1414 per capita.
V1_FIGURES = {"households_benefited": 2, "members_benefited": 7, "household_income_fen": 9900,
              "operating_fen": 5400, "asset_fen": 4500, "collective_income_fen": 2000,
              "per_household_fen": 4950, "per_capita_fen": 1414}
V3_FIGURES = {"households_benefited": 1, "members_benefited": 5, "household_income_fen": 4000,
              "operating_fen": 4000, "asset_fen": 0, "collective_income_fen": 0,
              "per_household_fen": 4000, "per_capita_fen": 800}


def report(api, user, **query):
    resp = api.get("/reports/beneficiaries", user, query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_beneficiaries_by_village_figures(api, ds):
    body = report(api, ds.users["admin"], year=2024)
    assert body["rows"] == [
        {"region_code": V3, "region_name": "白马村", **V3_FIGURES},
        {"region_code": V1, "region_name": "石塘村", **V1_FIGURES},
    ]
    assert body["totals"] == {"households_benefited": 3, "members_benefited": 12, "household_income_fen": 13900,
                              "operating_fen": 9400, "asset_fen": 4500, "collective_income_fen": 2000,
                              "per_household_fen": 4633, "per_capita_fen": 1158}
    for m in MEASURES:
        assert body["totals"][m] == sum(r[m] for r in body["rows"])


def test_beneficiaries_by_county(api, ds):
    body = report(api, ds.users["auditor"], year=2024, group_by="county")
    assert body["rows"] == [{"region_code": "511722", "region_name": "宣汉县", **V3_FIGURES},
                            {"region_code": "511781", "region_name": "万源市", **V1_FIGURES}]


def test_beneficiaries_other_years_use_their_own_postings(api, ds):
    # 2023-12-31 local: H2 9999 asset; 2025-01-01 00:30 local: H1 777 operating
    assert [(r["region_code"], r["household_income_fen"], r["asset_fen"])
            for r in report(api, ds.users["admin"], year=2023)["rows"]] == [(V1, 9999, 9999)]
    assert [(r["region_code"], r["household_income_fen"], r["per_capita_fen"])
            for r in report(api, ds.users["admin"], year=2025)["rows"]] == [(V1, 777, 259)]


def test_beneficiaries_scoped_to_county(api, ds):
    body = report(api, ds.users["county_b_auditor"], year=2024)
    assert [r["region_code"] for r in body["rows"]] == [V3]
    assert body["totals"]["household_income_fen"] == 4000
    assert_problem(api.get("/reports/beneficiaries", ds.users["county_b_auditor"],
                           query_string={"region": V1}), 404)


def test_beneficiaries_bad_group_by_is_422(api, ds):
    assert_problem(api.get("/reports/beneficiaries", ds.users["admin"], query_string={"group_by": "township"}),
                   422, "group_by")
