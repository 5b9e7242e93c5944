"""/reports/income-bands: per capita = baseline + attributed in the year // members; masked lists."""
from tests.helpers import assert_problem
from tests.reports.reports_dataset import V1, ds_fixture  # noqa: F401

# H5 0 (no baseline); H1 380000 + 6900 // 3 = 382300; H2 430000 + 3000 // 4 = 430750;
# H4 449500 + 4000 // 5 = 450300; H3 500000 (exactly the top threshold: band 3).


def bands(api, user, **query):
    resp = api.get("/reports/income-bands", user, query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def listed(body, threshold_index):
    """Masked households below the threshold of that index, from the one list of the page."""
    return [h for h in body["households"]["items"] if h["band"] <= threshold_index]


def test_income_bands_counts_and_lists(api, ds):
    body = bands(api, ds.users["admin"], year=2024)
    assert body["thresholds_fen"] == [420000, 450000, 500000]
    assert body["bands"] == [
        {"band": 0, "lower_fen": None, "upper_fen": 420000, "households": 2},
        {"band": 1, "lower_fen": 420000, "upper_fen": 450000, "households": 1},
        {"band": 2, "lower_fen": 450000, "upper_fen": 500000, "households": 1},
        {"band": 3, "lower_fen": 500000, "upper_fen": None, "households": 1},
    ]
    assert body["total_households"] == 5
    assert body["below"] == [{"threshold_fen": 420000, "count": 2}, {"threshold_fen": 450000, "count": 3},
                             {"threshold_fen": 500000, "count": 4}]
    # one row per household below the highest threshold, with its band (not one list per threshold)
    rows = [(h["head_name_masked"], h["per_capita_income_fen"], h["band"], h["below_threshold_fen"])
            for h in body["households"]["items"]]
    assert rows == [("陈*梅", 0, 0, 420000), ("王*英", 382300, 0, 420000), ("李*国", 430750, 1, 450000),
                    ("刘*明", 450300, 2, 500000)]
    assert body["households"]["total"] == 4
    first = body["households"]["items"][1]
    assert first["id_number_masked"] == ds.households["H1"].id_number_masked
    assert "**********" in first["id_number_masked"]
    assert first["village_name"] == "石塘村" and first["village_code"] == V1


def test_income_bands_custom_thresholds_and_scope(api, ds):
    body = bands(api, ds.users["county_a"], year=2024, thresholds="3823,4308")
    # county 511781 only (H4 is in 511722): H5 0 -> band 0; H1 382300 is not below 382300 -> band 1;
    # H2 430750 < 430800 -> band 1; H3 500000 -> band 2
    assert [b["households"] for b in body["bands"]] == [1, 2, 1]
    assert [h["head_name_masked"] for h in listed(body, 0)] == ["陈*梅"]
    assert [h["head_name_masked"] for h in listed(body, 1)] == ["陈*梅", "王*英", "李*国"]


def test_income_bands_other_year_uses_only_that_years_postings(api, ds):
    body = bands(api, ds.users["admin"], year=2023, thresholds="4300,4400")
    # 2023: H2 430000 + 9999 // 4 = 432499
    h2 = [h for h in listed(body, 1) if h["head_name_masked"] == "李*国"]
    assert h2[0]["per_capita_income_fen"] == 432499 and h2[0]["attributed_fen"] == 9999


def test_income_bands_thresholds_validation_names_the_field(api, ds):
    for bad in ("4500,4200", "4200,4200", "0", "10000001", "1,2,3,4,5,6,7,8,9,10,11", "42a", "4200,,4500", "-1"):
        resp = api.get("/reports/income-bands", ds.users["admin"], query_string={"thresholds": bad})
        assert_problem(resp, 422, "thresholds")


def test_income_bands_label_their_thresholds_and_show_the_configured_monitoring_line(api, ds, app):
    app.config.update(MONITORING_LINE_FEN=730000, MONITORING_LINE_YEAR=2026, MONITORING_LINE_SOURCE="省定监测线")
    body = bands(api, ds.users["admin"], year=2024)
    assert body["thresholds_label"] == "4200, 4500, 5000 yuan: the 2020 lines of the 越西 (Yuexi county) case"
    assert body["monitoring_line"] == {"per_capita_fen": 730000, "year": 2026, "source": "省定监测线"}
    custom = bands(api, ds.users["admin"], year=2024, thresholds="4200,4500")
    assert custom["thresholds_label"] == "given in the query"


def test_income_bands_threshold_one_below_equal_and_one_above_an_income(api, ds):
    # county 511781: H5 0, H1 382300, H2 430750, H3 500000. Thresholds 3822 / 3823 / 3824 yuan around H1:
    # H1 is above 382200, NOT below 382300 (equal counts as at-or-above), below 382400 -> band 2
    body = bands(api, ds.users["county_a"], year=2024, thresholds="3822,3823,3824")
    assert [b["households"] for b in body["bands"]] == [1, 0, 1, 2]
    assert [[h["head_name_masked"] for h in listed(body, i)] for i in range(3)] == [
        ["陈*梅"], ["陈*梅"], ["陈*梅", "王*英"]]
    assert [b["count"] for b in body["below"]] == [1, 1, 2]


def test_income_bands_list_is_paginated(api, ds):
    body = bands(api, ds.users["admin"], year=2024, page=2, page_size=3)
    assert body["households"]["page"] == 2 and body["households"]["page_size"] == 3
    assert body["households"]["total"] == 4
    assert [h["head_name_masked"] for h in body["households"]["items"]] == ["刘*明"]
    assert [b["count"] for b in body["below"]] == [2, 3, 4]  # the counts are of every page
    assert_problem(api.get("/reports/income-bands", ds.users["admin"], query_string={"page_size": 101}),
                   422, "page_size")
