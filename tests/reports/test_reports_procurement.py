"""/reports/procurement: spend net of refunds by paid_at year, percent and behind-schedule in integers."""
from datetime import datetime

from marketplace.core.clock import LOCAL_TZ
from marketplace.reports.queries import procurement as pq
from tests.helpers import assert_problem
from tests.reports.reports_dataset import ds_fixture  # noqa: F401


def report(api, user, **query):
    resp = api.get("/reports/procurement", user, query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_procurement_past_year_figures(api, ds):
    body = report(api, ds.users["admin"], year=2024)
    rows = [(r["organization_name"], r["target_fen"], r["spent_fen"], r["orders"], r["percent_bp"], r["percent"],
             r["behind_schedule"]) for r in body["rows"]]
    # B1: O1 net 23500 (O3 unpaid, O4 in 2023); B2: O2 16000 + O5 refunded in full (0); B3 nothing spent.
    assert rows == [("万源市机关食堂", 50000, 23500, 1, 4700, "47.0", True),
                    ("宣汉县第一中学", 15000, 16000, 2, 10666, "106.6", False),
                    ("万源市乡村振兴局", 10000, 0, 0, 0, "0.0", True)]
    assert body["elapsed_bp"] == 10000
    assert body["totals"] == {"target_fen": 75000, "spent_fen": 39500}


def test_procurement_scoped_to_county(api, ds):
    body = report(api, ds.users["county_a"], year=2024)
    assert [r["organization_name"] for r in body["rows"]] == ["万源市机关食堂", "万源市乡村振兴局"]


def test_procurement_year_with_target_but_no_spend(api, ds):
    body = report(api, ds.users["admin"], year=2025)
    assert [(r["organization_name"], r["target_fen"], r["spent_fen"]) for r in body["rows"]] == [
        ("万源市机关食堂", 99999, 0)]


def test_behind_schedule_uses_exact_elapsed_fraction():
    # 2024-07-01 00:00 in Shanghai: 182 of 366 days elapsed
    now = datetime(2024, 7, 1, tzinfo=LOCAL_TZ)
    assert pq.elapsed(2024, now) == (182 * 86400, 366 * 86400)
    # 4972 / 10000 < 182 / 366 (0.497267...) < 4973 / 10000
    assert pq.derive({"spent_fen": 4972, "target_fen": 10000}, 2024, now)["behind_schedule"] is True
    assert pq.derive({"spent_fen": 4973, "target_fen": 10000}, 2024, now)["behind_schedule"] is False
    # a future year has nothing elapsed; a missing or zero target gives no verdict
    assert pq.derive({"spent_fen": 0, "target_fen": 10000}, 2025, now)["behind_schedule"] is False
    assert pq.derive({"spent_fen": 5, "target_fen": None}, 2024, now)["percent"] is None
    assert pq.derive({"spent_fen": 5, "target_fen": 0}, 2024, now)["behind_schedule"] is None
    assert pq.percent_text(1, 3) == "33.3" and pq.percent_text(2, 3) == "66.6"


def test_procurement_year_out_of_range_is_422(api, ds):
    assert_problem(api.get("/reports/procurement", ds.users["admin"], query_string={"year": 2101}), 422, "year")
    assert_problem(api.get("/reports/procurement", ds.users["admin"], query_string={"year": "abc"}), 422, "year")
