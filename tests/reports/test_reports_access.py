"""Role matrix of every report: admin and auditor only; 401 without a token."""
import pytest

from tests.helpers import assert_problem
from tests.reports.reports_dataset import ds_fixture  # noqa: F401

PATHS = ("/reports/sales", "/reports/beneficiaries", "/reports/income-bands", "/reports/procurement")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role,status", [("admin", 200), ("auditor", 200), ("county_a", 200),
                                         ("supplier_manager", 403), ("buyer_purchaser", 403),
                                         ("buyer_approver", 403), (None, 401)])
def test_report_role_matrix(api, ds, path, role, status):
    resp = api.get(path, ds.users[role] if role else None, query_string={"year": 2024})
    if status == 200:
        assert resp.status_code == 200, resp.get_data(as_text=True)
    else:
        assert_problem(resp, status)


@pytest.mark.parametrize("path", PATHS)
def test_report_bad_token_is_401(api, path):
    resp = api.get(path, headers={"Authorization": "Bearer nope"})
    assert_problem(resp, 401)


@pytest.mark.parametrize("path", PATHS)
def test_report_region_of_another_county_is_404(api, ds, path):
    assert_problem(api.get(path, ds.users["county_a"], query_string={"region": "511722"}), 404)


def test_reports_are_documented_with_file_formats(api):
    spec = api.get("/openapi.json").get_json()
    for path in PATHS:
        content = spec["paths"]["/api/v1" + path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content)
