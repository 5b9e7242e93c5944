"""CSV (BOM, Chinese intact, formulas defused, streamed) and XLSX (no formula cells) report files."""
import csv
import io

import openpyxl
import pytest

from tests.reports.reports_dataset import FORMULA_SUPPLIER, ds_fixture  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_sales_csv_starts_with_bom_and_keeps_chinese_text(api, ds):
    # when
    resp = api.get("/reports/sales", ds.users["admin"],
                   query_string={"group_by": "county,month", "year": 2024, "format": "csv"})
    # then
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="sales-all-20240101-20241231.csv"'
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["county", "county_name", "month", "orders", "quantity", "refunded_quantity", "gross_fen",
                       "gross_yuan", "refunded_fen", "refunded_yuan", "net_fen", "net_yuan"]
    assert rows[2] == ["511781", "万源市", "2024-02", "1", "15", "1", "25000", "250.00", "1500", "15.00", "23500",
                       "235.00"]
    assert rows[-1] == ["total", "", "", "3", "22", "2", "43000", "430.00", "3500", "35.00", "39500", "395.00"]
    assert len(rows) == 5


def test_sales_csv_defuses_a_formula_supplier_name(api, ds):
    resp = api.get("/reports/sales", ds.users["admin"],
                   query_string={"group_by": "supplier", "year": 2024, "format": "csv"})
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert ["'" + FORMULA_SUPPLIER] == [r[1] for r in rows if "HYPERLINK" in r[1]]


def test_sales_xlsx_has_no_formula_cells(api, ds):
    # when
    resp = api.get("/reports/sales", ds.users["admin"],
                   query_string={"group_by": "supplier,month", "year": 2024, "format": "xlsx"})
    # then
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == XLSX
    assert resp.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(resp.get_data())).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert FORMULA_SUPPLIER in values and "万源富硒茶合作社" in values
    header = [c.value for c in next(sheet.iter_rows())]
    assert header[:3] == ["supplier_id", "supplier_name", "month"]
    assert "gross_yuan" in header


@pytest.mark.parametrize("path,query,first", [
    ("/reports/beneficiaries", {"year": 2024}, ["region_code", "region_name", "households_benefited"]),
    ("/reports/income-bands", {"year": 2024}, ["household_id", "head_name_masked", "id_number_masked"]),
    ("/reports/procurement", {"year": 2024}, ["organization_id", "organization_name", "kind"]),
])
def test_every_report_exports_csv_and_xlsx(api, ds, path, query, first):
    for fmt in ("csv", "xlsx"):
        resp = api.get(path, ds.users["auditor"], query_string={**query, "format": fmt})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(resp.get_data())).active
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0][:3] == first
        assert len(rows) > 1


def test_income_bands_csv_is_masked(api, ds):
    resp = api.get("/reports/income-bands", ds.users["admin"], query_string={"year": 2024, "format": "csv"})
    text = resp.get_data().decode("utf-8-sig")
    for household in ds.households.values():
        assert household.plain_head_name not in text
        assert household.plain_id_number not in text
    assert "王*英" in text
