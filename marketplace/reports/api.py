"""Report routes (admin and auditor, scoped to their region): JSON, or a streamed CSV/XLSX file."""
from marketplace.core.auth import STAFF_ROLES, current_user, require_roles
from marketplace.reports import bp, services
from marketplace.reports.files import CSV_MIMETYPE, XLSX_MIMETYPE, file_response
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


def _formats_doc(component):
    """The 200 response in its three formats (json, or the file for format=csv|xlsx)."""
    return bp.doc(responses={"200": {"description": "the report as JSON, or the CSV/XLSX file", "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}},
        CSV_MIMETYPE: {"schema": {"type": "string"}},
        XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    }}})


def _respond(report, export, args):
    """JSON from ``report()``, or the file of ``export()`` for format=csv|xlsx."""
    actor = current_user()
    if args["format"] == "json":
        return report(actor=actor, args=args)
    return file_response(export(actor=actor, args=args), args["format"])


@bp.get("/reports/sales")
@require_roles(*STAFF_ROLES)
@bp.arguments(SalesQuerySchema, location="query")
@bp.response(200, SalesReportSchema)
@_formats_doc("SalesReport")
def get_sales_report(args):
    """Paid sales grouped by region, catalog, buyer or local time, with totals."""
    return _respond(services.sales_report, services.sales_export, args)


@bp.get("/reports/beneficiaries")
@require_roles(*STAFF_ROLES)
@bp.arguments(BeneficiariesQuerySchema, location="query")
@bp.response(200, BeneficiariesReportSchema)
@_formats_doc("BeneficiariesReport")
def get_beneficiaries_report(args):
    """Households benefited, attributed income (per household, per capita, by mode) and collective income."""
    return _respond(services.beneficiaries_report, services.beneficiaries_export, args)


@bp.get("/reports/income-bands")
@require_roles(*STAFF_ROLES)
@bp.arguments(IncomeBandsQuerySchema, location="query")
@bp.response(200, IncomeBandsReportSchema)
@_formats_doc("IncomeBandsReport")
def get_income_bands_report(args):
    """Households per per-capita income band and the masked lists below each threshold."""
    return _respond(services.income_bands_report, services.income_bands_export, args)


@bp.get("/reports/procurement")
@require_roles(*STAFF_ROLES)
@bp.arguments(ProcurementQuerySchema, location="query")
@bp.response(200, ProcurementReportSchema)
@_formats_doc("ProcurementReport")
def get_procurement_report(args):
    """Each buyer's paid spend in the year against its target, percent and behind-schedule flag."""
    return _respond(services.procurement_report, services.procurement_export, args)
