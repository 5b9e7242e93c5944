"""Public disclosure: no login, masked, equal to the admin beneficiaries report, cacheable (ETag/304)."""
from tests.helpers import assert_problem
from tests.reports.reports_dataset import V1, ds_fixture  # noqa: F401


def disclosure(api, code, **query):
    resp = api.get(f"/public/disclosures/{code}", query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def test_village_disclosure_figures_and_masked_households(api, ds):
    body = disclosure(api, V1, year=2024).get_json()
    assert body["region"] == {"code": V1, "name": "石塘村", "level": "village"}
    # lines of products from V1 paid in 2024: L1 15000 (refunded 1500) and L3 6000
    assert body["sales"] == {"orders": 2, "quantity": 14, "gross_fen": 21000, "refunded_fen": 1500, "net_fen": 19500}
    assert body["collective_income_fen"] == 2000
    assert body["households_benefited"] == 2
    assert body["households"] == [
        {"head_name_masked": "王*英", "members": 3, "income_fen": 6900, "operating_fen": 5400, "asset_fen": 1500},
        {"head_name_masked": "李*国", "members": 4, "income_fen": 3000, "operating_fen": 0, "asset_fen": 3000},
    ]


def test_village_disclosure_equals_admin_beneficiaries_report(api, ds):
    public = disclosure(api, V1, year=2024).get_json()
    admin = api.get("/reports/beneficiaries", ds.users["admin"],
                    query_string={"year": 2024, "region": V1}).get_json()
    (row,) = admin["rows"]
    for key, value in row.items():
        if key not in ("region_code", "region_name"):
            assert public[key] == value, key
    assert sum(h["income_fen"] for h in public["households"]) == row["household_income_fen"]


def test_township_and_county_disclose_aggregates_only(api, ds):
    township = disclosure(api, "511781101", year=2024).get_json()
    assert township["households"] is None
    # V1 and V2 lines: 15000 + 10000 (O1), 6000 (O2), 2000 refunded in full (O5)
    assert township["sales"] == {"orders": 3, "quantity": 20, "gross_fen": 33000, "refunded_fen": 3500,
                                 "net_fen": 29500}
    assert (township["household_income_fen"], township["collective_income_fen"]) == (9900, 2000)
    county = disclosure(api, "511722", year=2024).get_json()
    assert county["households"] is None
    assert (county["households_benefited"], county["household_income_fen"], county["per_capita_fen"]) == (1, 4000, 800)


def test_disclosure_never_contains_a_plain_name_or_id_number(api, ds):
    for code in (V1, "511781101002", "511781101", "511781", "511722100001", "511722"):
        for year in (2023, 2024, 2025):
            text = disclosure(api, code, year=year).get_data(as_text=True)
            for household in ds.households.values():
                assert household.plain_head_name not in text
                assert household.plain_id_number not in text
                assert household.id_number_masked not in text


def test_disclosure_etag_and_304(api, ds):
    # given
    first = disclosure(api, V1, year=2024)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    # when
    again = api.get(f"/public/disclosures/{V1}", query_string={"year": 2024}, headers={"If-None-Match": etag})
    # then
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.get_data() == b""
    other_year = disclosure(api, V1, year=2023)
    assert other_year.headers["ETag"] != etag


def test_disclosure_etag_changes_with_the_data(api, ds, db):
    etag = disclosure(api, V1, year=2024).headers["ETag"]
    ds.households["H1"].head_name_masked = "王**"
    db.session.commit()
    resp = api.get(f"/public/disclosures/{V1}", query_string={"year": 2024}, headers={"If-None-Match": etag})
    assert resp.status_code == 200 and resp.headers["ETag"] != etag


def test_disclosure_unknown_or_malformed_region_is_404(api, ds):
    assert_problem(api.get("/public/disclosures/511781101999"), 404)
    assert_problem(api.get("/public/disclosures/abc"), 404)


def test_disclosure_bad_year_is_422(api, ds):
    assert_problem(api.get(f"/public/disclosures/{V1}", query_string={"year": 1900}), 422, "year")


def test_disclosure_weak_if_none_match_is_304(api, ds):
    # given: a cache that stored the ETag as weak (as a CDN may after recompressing)
    etag = disclosure(api, V1, year=2024).headers["ETag"]
    weak = etag if etag.startswith("W/") else f"W/{etag}"
    # when
    again = api.get(f"/public/disclosures/{V1}", query_string={"year": 2024}, headers={"If-None-Match": weak})
    # then
    assert again.status_code == 304 and again.get_data() == b""
