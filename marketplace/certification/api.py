from marketplace.certification import bp, services
from marketplace.certification.schemas import (
    CertificationApproveSchema,
    CertificationCreateSchema,
    CertificationQuerySchema,
    CertificationReasonSchema,
    CertificationSchema,
)
from marketplace.core.auth import STAFF_ROLES, current_user, require_roles
from marketplace.core.http import page_of, paginate


@bp.post("/products/<int:product_id>/certifications")
@bp.created("get_certification", cert_id="id")
@require_roles("supplier_manager")
@bp.arguments(CertificationCreateSchema)
@bp.response(201, CertificationSchema)
def submit_certification(data, product_id):
    """Submit a product for poverty-alleviation certification (扶贫产品认定)."""
    return services.submit(actor=current_user(), product_id=product_id, data=data)


@bp.get("/certifications")
@require_roles(*STAFF_ROLES, "supplier_manager")
@bp.arguments(CertificationQuerySchema, location="query")
@bp.response(200, page_of(CertificationSchema))
def list_certifications(args):
    """Certifications in the caller's region scope (admins) or of its own products (suppliers)."""
    return paginate(services.list_query(actor=current_user(), args=args), args)


@bp.get("/certifications/<int:cert_id>")
@require_roles(*STAFF_ROLES, "supplier_manager")
@bp.response(200, CertificationSchema)
def get_certification(cert_id):
    """One certification (staff in scope, or the product's supplier)."""
    return services.get_visible(current_user(), cert_id)


@bp.post("/certifications/<int:cert_id>/approve")
@require_roles("admin")
@bp.arguments(CertificationApproveSchema)
@bp.response(200, CertificationSchema)
def approve_certification(data, cert_id):
    """Approve a submission: validity window and certificate number (FP-<county>-<year>-<NNNNN> if absent)."""
    return services.approve(actor=current_user(), cert_id=cert_id, data=data)


@bp.post("/certifications/<int:cert_id>/reject")
@require_roles("admin")
@bp.arguments(CertificationReasonSchema)
@bp.response(200, CertificationSchema)
def reject_certification(data, cert_id):
    """Reject a submission with a reason."""
    return services.reject(actor=current_user(), cert_id=cert_id, reason=data["reason"])


@bp.post("/certifications/<int:cert_id>/revoke")
@require_roles("admin")
@bp.arguments(CertificationReasonSchema)
@bp.response(200, CertificationSchema)
def revoke_certification(data, cert_id):
    """Revoke an approved certification; the product stops being orderable at once."""
    return services.revoke(actor=current_user(), cert_id=cert_id, reason=data["reason"])
