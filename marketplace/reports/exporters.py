"""Streaming CSV and XLSX exporters for reports.

Rules (DESIGN.md "Reports", CONVENTIONS.md section 5):

* Rows are consumed one at a time, so memory stays flat however long the
  report: CSV is written through a small buffer flushed every
  :data:`CSV_CHUNK_ROWS` rows; XLSX uses XlsxWriter's ``constant_memory`` mode
  into a temporary file that is streamed back in chunks and then deleted.
* CSV is UTF-8 with a byte order mark first, so Excel opens Chinese text.
* CSV injection is defused: a text cell that begins with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return gets a leading ``'``. XLSX needs no such
  prefix: text is always written as a string cell, never as a formula or URL.
* Money stays integer fen. Yuan appear only here, at the edge: CSV may add a
  ``*_yuan`` text column formatted exactly from the integer; XLSX adds a
  ``*_yuan`` number column (fen / 100, shown as ``#,##0.00``) beside every
  ``*_fen`` column.
"""

import csv
import datetime as dt
import io
import math
import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import xlsxwriter

CSV_CHUNK_ROWS = 500
FILE_CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"
FEN_SUFFIX = "_fen"
YUAN_SUFFIX = "_yuan"

#: OWASP CSV injection: a cell a spreadsheet may read as a formula starts, after any leading
#: whitespace (a space, U+3000 ideographic space, tab, newline...), with one of these.
_FORMULA_STARTS = frozenset("=+-@;|\uff1d\uff0b\uff0d\uff20")
_CONTROL_STARTS = ("\t", "\r", "\n")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": False,
    "remove_timezone": True,
}


def fen_to_yuan_str(fen: int) -> str:
    """Format integer fen as yuan with two decimals: 5 -> "0.05", -12345 -> "-123.45"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    yuan, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{yuan}.{cents:02d}"


def yuan_columns(columns: Sequence[str]) -> list[str]:
    """The header with a ``<name>_yuan`` column after every ``<name>_fen`` column."""
    expanded: list[str] = []
    for name in columns:
        expanded.append(name)
        if name.endswith(FEN_SUFFIX):
            expanded.append(name[: -len(FEN_SUFFIX)] + YUAN_SUFFIX)
    return expanded


def defuse_cell(value: object) -> object:
    """Prefix ``'`` to text a spreadsheet would read as a formula; pass others through."""
    if isinstance(value, str) and value:
        stripped = value.lstrip()
        if value.startswith(_CONTROL_STARTS) or (stripped and stripped[0] in _FORMULA_STARTS):
            return "'" + value
    return value


def csv_stream(columns: Sequence[str], rows: Iterable[Sequence], *, with_yuan: bool = False) -> Iterator[str]:
    """Yield a UTF-8 BOM, then the header and rows as CSV text in chunks.

    With ``with_yuan`` each ``*_fen`` column is followed by its ``*_yuan``
    column formatted by :func:`fen_to_yuan_str`. ``None`` is written empty.
    Raises ``ValueError`` (while streaming) if a row's length differs from
    the header's.
    """
    fen_at = _fen_positions(columns) if with_yuan else frozenset()
    header = yuan_columns(columns) if with_yuan else list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield BOM
    writer.writerow([defuse_cell(name) for name in header])
    pending = 0
    for row in rows:
        _check_width(row, columns)
        cells: list[object] = []
        for index, value in enumerate(row):
            cells.append(defuse_cell(value))
            if index in fen_at:
                cells.append("" if value is None else fen_to_yuan_str(_as_int(value)))
        writer.writerow(cells)
        pending += 1
        if pending >= CSV_CHUNK_ROWS:
            yield _drain(buffer)
            pending = 0
    tail = _drain(buffer)
    if tail:
        yield tail


def xlsx_stream(
    columns: Sequence[str],
    rows: Iterable[Sequence],
    sheet_name: str = "report",
    *,
    with_yuan: bool = True,
) -> "FileChunks":
    """Write the rows into an XLSX temp file and return an iterator over its bytes.

    The header row is bold and frozen; beside every ``*_fen`` column (unless
    ``with_yuan`` is false) comes a ``*_yuan`` number column. The workbook is
    complete before the first chunk, so a failure raises here, not mid-stream,
    and the temp file is removed. The returned :class:`FileChunks` deletes
    the file when exhausted, closed or garbage-collected.
    """
    fd, path = tempfile.mkstemp(prefix="report-", suffix=".xlsx")
    os.close(fd)
    try:
        _write_workbook(path, columns, rows, sheet_name, with_yuan)
    except BaseException:
        _remove(path)
        raise
    return iter_file_chunks(path)


def _write_workbook(
    path: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    sheet_name: str,
    with_yuan: bool,
) -> None:
    workbook = xlsxwriter.Workbook(path, _XLSX_OPTIONS)
    try:
        sheet = workbook.add_worksheet(_safe_sheet_name(sheet_name))
        bold = workbook.add_format({"bold": True})
        formats = {
            "yuan": workbook.add_format({"num_format": "#,##0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        fen_at = _fen_positions(columns) if with_yuan else frozenset()
        header = yuan_columns(columns) if with_yuan else list(columns)
        for col, name in enumerate(header):
            sheet.write_string(0, col, str(name), bold)
        sheet.freeze_panes(1, 0)
        for row_index, row in enumerate(rows, start=1):
            _check_width(row, columns)
            col = 0
            for index, value in enumerate(row):
                _write_cell(sheet, row_index, col, value, formats)
                col += 1
                if index in fen_at:
                    if value is not None:
                        # The one place fen become a float: an export edge.
                        yuan = _as_int(value) / 100
                        sheet.write_number(row_index, col, yuan, formats["yuan"])
                    col += 1
    finally:
        workbook.close()


def _write_cell(sheet, row: int, col: int, value: object, formats: dict) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int):
        sheet.write_number(row, col, value)
    elif isinstance(value, (Decimal, float)) and math.isfinite(value):
        # Ratios such as percent fulfilled; integral values stay exact.
        integral = value == int(value)
        sheet.write_number(row, col, int(value) if integral else float(value))
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, formats["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats["date"])
    else:
        sheet.write_string(row, col, str(value))


class FileChunks(Iterator[bytes]):
    """Iterate over a file's bytes in chunks, deleting the file at the end.

    A plain generator would leak the file if the response were never iterated
    (its ``finally`` only runs once started), so deletion also happens on
    :meth:`close` (WSGI servers call it) and at garbage collection.
    """

    def __init__(self, path: str, chunk_size: int = FILE_CHUNK_BYTES):
        self.path = path
        self._chunk_size = chunk_size
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._finalizer = weakref.finalize(self, _close_and_remove, self._file, path)

    def __next__(self) -> bytes:
        if not self._finalizer.alive:
            raise StopIteration
        chunk = self._file.read(self._chunk_size)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Close and delete the file; safe to call more than once."""
        self._finalizer()


def iter_file_chunks(path: str, chunk_size: int = FILE_CHUNK_BYTES) -> FileChunks:
    """Stream ``path`` in chunks of ``chunk_size`` bytes and delete it afterwards."""
    return FileChunks(path, chunk_size)


def _close_and_remove(file, path: str) -> None:
    file.close()
    _remove(path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def _fen_positions(columns: Sequence[str]) -> frozenset[int]:
    return frozenset(i for i, name in enumerate(columns) if name.endswith(FEN_SUFFIX))


def _check_width(row: Sequence, columns: Sequence[str]) -> None:
    if len(row) != len(columns):
        raise ValueError(f"row has {len(row)} cells for {len(columns)} columns")


def _as_int(value: object) -> int:
    # PostgreSQL's SUM(bigint) comes back as an integral Decimal.
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a *_fen cell must be an integer, got {type(value).__name__}")
    return value


def _safe_sheet_name(name: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and no leading/trailing quote.
    cleaned = str(name).translate(_SHEET_NAME_FORBIDDEN).strip("'")[:31]
    return cleaned or "report"
