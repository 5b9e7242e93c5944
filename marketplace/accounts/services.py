"""Users: authentication and creation. Organization rules for who may create whom."""
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import burn_time, hash_password, verify_password
from marketplace.audit.services import record
from marketplace.core.errors import Conflict, Forbidden, NotFound, Unauthorized, field_error
from marketplace.core.scope import may_change
from marketplace.extensions import db
from marketplace.organizations.models import Organization

ORG_ROLES = {"supplier": ("supplier_manager",), "buyer": ("buyer_purchaser", "buyer_approver")}


def authenticate(email, password):
    """The active user with these credentials; one error for unknown email and bad password."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        burn_time(password)
        raise Unauthorized("invalid email or password")
    if not verify_password(user.password_hash, password) or not user.may_sign_in:
        raise Unauthorized("invalid email or password")
    return user


def email_taken(email):
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower())) is not None


def new_user(*, email, password, name, role, organization=None, region_scope=""):
    """Insert a user (no permission checks: callers decide who may)."""
    if email_taken(email):
        raise Conflict("a user with this email already exists", errors={"email": ["already registered"]})
    user = User(email=email.strip().lower(), password_hash=hash_password(password), name=name, role=role,
                organization_id=organization.id if organization else None, region_scope=region_scope or "")
    db.session.add(user)
    db.session.flush()
    return user


def _org_side(org):
    return "supplier" if org.is_supplier else "buyer"


def create_user(*, actor, data):
    """Admins create staff (inside their scope) and organization users in scope; an
    organization's manager/approver creates users of its own organization only."""
    if actor.role not in ("admin", "supplier_manager", "buyer_approver"):
        # the role first: an auditor or a purchaser is refused (403) before any organization lookup (404)
        raise Forbidden(f"role {actor.role} may not create users")
    role = data["role"]
    org = None
    if data.get("organization_id") is not None:
        org = db.session.get(Organization, data["organization_id"])
        visible = org is not None and (
            (actor.role == "admin" and may_change(actor, org.region_code))
            or actor.organization_id == org.id)
        if not visible:
            raise NotFound("organization not found")
    if actor.role == "admin":
        if role in ("admin", "auditor"):
            if org is not None:
                raise field_error("organization_id", "staff users belong to no organization")
            # An explicit "" asks for national scope: only a national admin may grant it.
            scope = data["region_scope"] if "region_scope" in data else actor.region_scope
            if not may_change(actor, scope):
                raise field_error("region_scope", "outside your own region scope")
        else:
            if org is None:
                raise field_error("organization_id", "required for this role")
            scope = ""
    elif actor.role in ("supplier_manager", "buyer_approver"):
        if role in ("admin", "auditor"):
            raise Forbidden("only admins create staff users")
        org = org or actor.organization
        if org is None or org.id != actor.organization_id:
            raise NotFound("organization not found")
        scope = ""
    else:
        raise Forbidden(f"role {actor.role} may not create users")
    if org is not None and role not in ORG_ROLES[_org_side(org)]:
        raise field_error("role", f"a {org.kind} organization has roles {', '.join(ORG_ROLES[_org_side(org)])}")
    user = new_user(email=data["email"], password=data["password"], name=data["name"], role=role,
                    organization=org, region_scope=scope)
    record(actor, "user.create", "user", user.id, after={"role": role, "organization_id": user.organization_id,
                                                         "region_scope": scope},
           region_code=org.region_code if org else scope)
    return user
