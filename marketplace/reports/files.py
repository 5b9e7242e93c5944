"""File responses for reports: CSV or XLSX streamed from a lazy row source.

The rows are produced inside ``stream_with_context``, so the query runs while
the body is sent (server-side cursor) and no report is held in memory whole.
"""
from flask import Response, stream_with_context

from marketplace.reports.exporters import csv_stream, xlsx_stream

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(export, fmt):
    """A streamed attachment of ``export`` (``services.Export``) as ``csv`` or ``xlsx``."""
    if fmt == "csv":
        body = stream_with_context(csv_stream(export.columns, export.rows(), with_yuan=True))
        mimetype, ext = CSV_MIMETYPE, "csv"
    else:
        # The workbook is written to a temp file (constant memory) before the first byte is sent.
        chunks = xlsx_stream(export.columns, export.rows(), export.sheet)
        body, mimetype, ext = chunks, XLSX_MIMETYPE, "xlsx"
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.name}.{ext}"'
    response.headers["Cache-Control"] = "no-store"
    return response
