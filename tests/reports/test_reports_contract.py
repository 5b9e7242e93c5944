"""Reports as a contract: typed list parameters, strict query strings."""
from tests.helpers import assert_problem
from tests.reports.reports_dataset import ds_fixture  # noqa: F401


def test_repeated_list_parameter_is_read_whole_not_its_first_value(api, ds):
    # given: the form generators send for an array (OpenAPI's default style)
    repeated = api.get("/reports/sales?year=2024&group_by=county&group_by=month", ds.users["admin"])
    comma = api.get("/reports/sales?year=2024&group_by=county,month", ds.users["admin"])
    # then
    assert repeated.status_code == 200
    assert set(repeated.get_json()["rows"][0]) >= {"county", "month"}
    assert repeated.get_json() == comma.get_json()


def test_repeated_thresholds_are_validated_as_one_list(api, ds):
    resp = api.get("/reports/income-bands?year=2024&thresholds=5000&thresholds=4200", ds.users["admin"])
    assert_problem(resp, 422, field="thresholds")


def test_list_parameters_are_typed_arrays(client):
    document = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in document["paths"]["/api/v1/reports/sales"]["get"]["parameters"]}
    assert params["group_by"]["schema"]["type"] == "array"
    assert "county" in params["group_by"]["schema"]["items"]["enum"]


def test_unknown_query_parameter_is_422_naming_it(api, ds):
    # when
    resp = api.get("/reports/sales?year=2024&grup_by=county", ds.users["admin"])
    # then
    body = assert_problem(resp, 422, field="grup_by")
    assert "grup_by" in body["detail"]


def test_unknown_query_parameter_on_a_public_list_is_422(client):
    resp = client.get("/api/v1/products?colour=red")
    assert_problem(resp, 422, field="colour")


CSV, XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_accept_text_csv_gets_the_csv_file(api, ds):
    # when
    resp = api.get("/reports/sales?year=2024&group_by=county", ds.users["admin"], headers={"Accept": CSV})
    # then
    assert resp.status_code == 200 and resp.mimetype == CSV
    assert resp.headers["Content-Disposition"].startswith("attachment")


def test_accept_xlsx_gets_the_workbook_and_format_query_wins(api, ds):
    resp = api.get("/reports/procurement?year=2024", ds.users["admin"], headers={"Accept": XLSX})
    assert resp.status_code == 200 and resp.mimetype == XLSX and resp.get_data()[:2] == b"PK"
    resp = api.get("/reports/procurement?year=2024&format=json", ds.users["admin"], headers={"Accept": XLSX})
    assert resp.mimetype == "application/json"


def test_any_accept_is_json(api, ds):
    resp = api.get("/reports/procurement?year=2024", ds.users["admin"], headers={"Accept": "*/*"})
    assert resp.mimetype == "application/json" and "rows" in resp.get_json()


def test_each_format_is_a_documented_content_type(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("sales", "beneficiaries", "income-bands", "procurement"):
        content = document["paths"][f"/api/v1/reports/{path}"]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", CSV, XLSX}
        assert content["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")
        assert content[CSV]["schema"] == {"type": "string", "format": "binary"}


def test_compressed_csv_export_still_streams(api, ds):
    import brotli
    # when: a client that accepts br (the streaming algorithms are br and deflate)
    resp = api.get("/reports/sales?year=2024&group_by=county&format=csv", ds.users["admin"],
                   headers={"Accept-Encoding": "br"}, buffered=False)
    # then
    assert resp.is_streamed and "Content-Length" not in resp.headers
    assert resp.headers["Content-Encoding"] == "br"
    text = brotli.decompress(b"".join(resp.response)).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("county")
