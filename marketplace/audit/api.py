from marketplace.audit import bp, services
from marketplace.audit.schemas import AuditEventSchema, AuditQuerySchema
from marketplace.core.auth import STAFF_ROLES, current_user, require_roles
from marketplace.core.http import page_of, paginate


@bp.get("/audit-events")
@require_roles(*STAFF_ROLES)
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, page_of(AuditEventSchema))
def list_audit_events(args):
    """List audit events in the caller's region scope, newest first."""
    filters = dict(args, **{"from": args.get("from_")})
    return paginate(services.list_events_query(actor=current_user(), filters=filters), args)
