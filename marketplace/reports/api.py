"""Report routes (admin and auditor, scoped to their region): JSON, or a streamed CSV/XLSX file,
chosen by ``?format=`` or else by the ``Accept`` header."""
from flask import request

from marketplace.core.auth import STAFF_ROLES, current_user, require_roles
from marketplace.reports import bp, services
from marketplace.reports.files import XLSX_MIMETYPE, file_response
from marketplace.reports.schemas import (
    BeneficiariesQuerySchema,
    BeneficiariesReportSchema,
    IncomeBandsQuerySchema,
    IncomeBandsReportSchema,
    ProcurementQuerySchema,
    ProcurementReportSchema,
    SalesQuerySchema,
    SalesReportSchema,
)

#: Media type -> format, in the server's order of preference (json first for ``*/*``).
ACCEPTED = {"application/json": "json", "text/csv": "csv", XLSX_MIMETYPE: "xlsx"}
#: The 200 response's file formats, added to its JSON (a binary download for generated clients).
_formats_doc = bp.doc(responses={200: {
    "description": "the report as JSON, or the CSV/XLSX file (Content-Disposition: attachment)",
    "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in list(ACCEPTED)[1:]},
}})


def negotiated_format(args):
    """``?format=`` wins; else the best of ``Accept``; else json."""
    if args.get("format"):
        return args["format"]
    return ACCEPTED.get(request.accept_mimetypes.best_match(list(ACCEPTED)), "json")


def _respond(report, export, args):
    """JSON from ``report()``, or the file of ``export()`` for csv|xlsx."""
    actor, fmt = current_user(), negotiated_format(args)
    if fmt == "json":
        return report(actor=actor, args=args)
    return file_response(export(actor=actor, args=args), fmt)


@bp.get("/reports/sales")
@require_roles(*STAFF_ROLES)
@bp.arguments(SalesQuerySchema, location="query")
@bp.response(200, SalesReportSchema)
@_formats_doc
def get_sales_report(args):
    """Paid sales grouped by region, catalog, buyer or local time, with totals."""
    return _respond(services.sales_report, services.sales_export, args)


@bp.get("/reports/beneficiaries")
@require_roles(*STAFF_ROLES)
@bp.arguments(BeneficiariesQuerySchema, location="query")
@bp.response(200, BeneficiariesReportSchema)
@_formats_doc
def get_beneficiaries_report(args):
    """Households benefited, attributed income (per household, per capita, by mode) and collective income."""
    return _respond(services.beneficiaries_report, services.beneficiaries_export, args)


@bp.get("/reports/income-bands")
@require_roles(*STAFF_ROLES)
@bp.arguments(IncomeBandsQuerySchema, location="query")
@bp.response(200, IncomeBandsReportSchema)
@_formats_doc
def get_income_bands_report(args):
    """Households per per-capita income band and the masked lists below each threshold."""
    return _respond(services.income_bands_report, services.income_bands_export, args)


@bp.get("/reports/procurement")
@require_roles(*STAFF_ROLES)
@bp.arguments(ProcurementQuerySchema, location="query")
@bp.response(200, ProcurementReportSchema)
@_formats_doc
def get_procurement_report(args):
    """Each buyer's paid spend in the year against its target, percent and behind-schedule flag."""
    return _respond(services.procurement_report, services.procurement_export, args)
