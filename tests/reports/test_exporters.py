"""CSV with BOM and defused formulas, exact yuan text, XLSX read back with openpyxl."""

import csv
import datetime as dt
import io
import os
from decimal import Decimal

import openpyxl
import pytest

from marketplace.reports import exporters
from marketplace.reports.exporters import (
    csv_stream,
    defuse_cell,
    fen_to_yuan_str,
    iter_file_chunks,
    xlsx_stream,
    yuan_columns,
)

COLUMNS = ["village", "households", "income_fen", "note"]
ROWS = [
    ["雅安市名山区新店镇", 3, 1234567, "茶叶"],
    ["欧阳村", 1, -12345, "=1+1"],
    ["空村", 0, None, None],
]


def read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_stream_starts_with_bom_and_keeps_chinese_text():
    # when
    chunks = list(csv_stream(COLUMNS, ROWS))
    # then
    assert chunks[0] == "\ufeff"
    data = "".join(chunks).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    decoded = data.decode("utf-8-sig")
    assert "雅安市名山区新店镇" in decoded
    table = read_csv(chunks)
    assert table[0] == COLUMNS
    assert table[1] == ["雅安市名山区新店镇", "3", "1234567", "茶叶"]
    assert table[3] == ["空村", "0", "", ""]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")',
                                  " =x", "\u3000=1+1", "\n=1", ";cmd", "  @x", "\uff1d1+1", "\n"])
def test_csv_stream_formula_like_text_gets_quote_prefix(text):
    table = read_csv(csv_stream(["note"], [[text]]))
    assert table[1] == ["'" + text]


def test_csv_stream_numbers_and_plain_text_not_prefixed():
    table = read_csv(csv_stream(["a", "b", "c"], [[-5, "a=b", " x=1"]]))
    assert table[1] == ["-5", "a=b", " x=1"]
    assert defuse_cell(-5) == -5


def test_csv_stream_with_yuan_adds_exact_yuan_column():
    table = read_csv(csv_stream(COLUMNS, ROWS, with_yuan=True))
    assert table[0] == ["village", "households", "income_fen", "income_yuan", "note"]
    assert table[1][2:4] == ["1234567", "12345.67"]
    assert table[2][2:4] == ["-12345", "-123.45"]
    assert table[3][2:4] == ["", ""]


def test_csv_stream_many_rows_come_in_chunks_of_500():
    rows = ([i, f"行{i}"] for i in range(1234))
    chunks = list(csv_stream(["n", "text"], rows))
    # BOM, then ceil(1234 / 500) = 3 chunks, the first also carrying the header
    assert len(chunks) == 4
    table = read_csv(chunks)
    assert len(table) == 1235
    assert table[-1] == ["1233", "行1233"]


def test_csv_stream_row_width_mismatch_raises():
    with pytest.raises(ValueError):
        list(csv_stream(["a", "b"], [[1]]))


@pytest.mark.parametrize(
    "fen,text",
    [
        (0, "0.00"),
        (5, "0.05"),
        (10, "0.10"),
        (100, "1.00"),
        (123456789, "1234567.89"),
        (-5, "-0.05"),
        (-12345, "-123.45"),
        (10**20 + 1, "1000000000000000000.01"),
    ],
)
def test_fen_to_yuan_str_formats_exactly(fen, text):
    assert fen_to_yuan_str(fen) == text


@pytest.mark.parametrize("value", [1.5, "5", True, None])
def test_fen_to_yuan_str_non_int_raises(value):
    with pytest.raises(TypeError):
        fen_to_yuan_str(value)


def test_yuan_columns_adds_yuan_after_each_fen_column():
    assert yuan_columns(["a", "gross_fen", "net_fen", "b"]) == [
        "a",
        "gross_fen",
        "gross_yuan",
        "net_fen",
        "net_yuan",
        "b",
    ]
    assert yuan_columns(["a"]) == ["a"]


def load_xlsx(chunks):
    data = b"".join(chunks)
    assert data[:2] == b"PK"
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_stream_reads_back_with_header_chinese_and_yuan_columns():
    # when
    workbook = load_xlsx(xlsx_stream(COLUMNS, ROWS, "收入"))
    # then
    sheet = workbook["收入"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("village", "households", "income_fen", "income_yuan", "note")
    assert rows[1] == ("雅安市名山区新店镇", 3, 1234567, 12345.67, "茶叶")
    assert rows[2][2:4] == (-12345, -123.45)
    assert rows[3] == ("空村", 0, None, None, None)
    assert sheet["A1"].font.b
    assert sheet["D2"].number_format == "#,##0.00"


def test_xlsx_stream_formula_text_is_a_string_cell():
    sheet = load_xlsx(xlsx_stream(COLUMNS, ROWS, "s")).active
    cell = sheet["E3"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
    url = load_xlsx(xlsx_stream(["note"], [["https://example.com"]], "s")).active["A2"]
    assert url.data_type == "s" and url.hyperlink is None


def test_xlsx_stream_dates_decimals_and_without_yuan():
    rows = [[dt.date(2025, 3, 1), Decimal("1500"), Decimal("12.5"), True]]
    sheet = load_xlsx(xlsx_stream(["day", "net_fen", "percent", "late"], rows, "x", with_yuan=False)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("day", "net_fen", "percent", "late")
    assert values[1] == (dt.datetime(2025, 3, 1), 1500, 12.5, True)


def test_xlsx_stream_bad_sheet_name_is_cleaned():
    workbook = load_xlsx(xlsx_stream(["a"], [], "sales [2025/03]: a very long report name"))
    assert workbook.sheetnames == ["sales _2025_03__ a very long re"]


def test_xlsx_stream_temp_file_deleted_after_streaming():
    # given
    chunks = xlsx_stream(["a"], [[1]], "s")
    path = chunks.path
    assert os.path.exists(path)
    # when
    list(chunks)
    # then
    assert not os.path.exists(path)


def test_xlsx_stream_temp_file_deleted_on_close_without_iterating():
    chunks = xlsx_stream(["a"], [[1]], "s")
    chunks.close()
    assert not os.path.exists(chunks.path)
    assert list(chunks) == []
    chunks.close()


def test_xlsx_stream_failure_while_writing_removes_temp_file(monkeypatch, tmp_path):
    # given: temp files go to a directory we can inspect
    monkeypatch.setattr(exporters.tempfile, "tempdir", str(tmp_path))

    def rows():
        yield [1]
        raise RuntimeError("query failed")

    # when
    with pytest.raises(RuntimeError):
        xlsx_stream(["a"], rows(), "s")
    # then
    assert not list(tmp_path.glob("report-*.xlsx"))


def test_iter_file_chunks_streams_in_chunks_and_deletes(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"x" * 10)
    assert list(iter_file_chunks(str(path), chunk_size=4)) == [b"xxxx", b"xxxx", b"xx"]
    assert not path.exists()
