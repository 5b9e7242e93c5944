"""POST /users: who may create whom (role matrix, scope, org ownership)."""
import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import assert_problem

OTHER_COUNTY = "510104"  # 成都市 锦江区, outside 5117 (达州市)


def _payload(role, email=None, **extra):
    body = {"email": email or f"new-{role}@example.cn", "password": "a-long-password", "name": "新用户",
            "role": role}
    body.update(extra)
    return body


def test_create_user_admin_creates_auditor_in_own_scope_201(api, db, make_user):
    # given
    admin = make_user("admin", region_scope="5117")
    # when
    resp = api.post("/users", admin, json=_payload("auditor", region_scope="511781"))
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["role"] == "auditor" and body["region_scope"] == "511781" and body["organization"] is None
    assert "password" not in body and "password_hash" not in body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.actor_id == admin.id and event.entity_id == str(body["id"])
    assert event.after["role"] == "auditor" and event.region_code == "511781"
    assert "password" not in str(event.after)


def test_create_user_admin_scope_defaults_to_own(api, make_user):
    admin = make_user("admin", region_scope="5117")
    resp = api.post("/users", admin, json=_payload("auditor"))
    assert resp.status_code == 201 and resp.get_json()["region_scope"] == "5117"


def test_create_user_new_user_can_log_in(api, make_user):
    admin = make_user("admin")
    api.post("/users", admin, json=_payload("auditor", email="aud@example.cn"))
    resp = api.post("/auth/token", json={"email": "aud@example.cn", "password": "a-long-password"})
    assert resp.status_code == 200


def test_create_user_admin_scope_5117_cannot_create_auditor_scope_11_422(api, make_user):
    admin = make_user("admin", region_scope="5117")
    resp = api.post("/users", admin, json=_payload("auditor", region_scope="11"))
    assert_problem(resp, 422, field="region_scope")


def test_create_user_scoped_admin_cannot_create_national_staff_422(api, make_user):
    admin = make_user("admin", region_scope="5117")
    resp = api.post("/users", admin, json=_payload("admin", region_scope=""))
    assert_problem(resp, 422, field="region_scope")


def test_create_user_national_admin_creates_national_admin_201(api, make_user):
    admin = make_user("admin")
    resp = api.post("/users", admin, json=_payload("admin", region_scope=""))
    assert resp.status_code == 201 and resp.get_json()["region_scope"] == ""


def test_create_user_admin_creates_org_user_in_scope_201(api, make_org, make_user):
    admin = make_user("admin", region_scope="5117")
    org = make_org("canteen")
    resp = api.post("/users", admin, json=_payload("buyer_purchaser", organization_id=org.id))
    assert resp.status_code == 201
    assert resp.get_json()["organization"]["id"] == org.id


def test_create_user_county_admin_org_outside_scope_404(api, make_org, make_user):
    admin = make_user("admin", region_scope="511781")
    org = make_org("canteen", region_code=OTHER_COUNTY)
    resp = api.post("/users", admin, json=_payload("buyer_purchaser", organization_id=org.id))
    assert_problem(resp, 404)


def test_create_user_unknown_org_404(api, make_user):
    admin = make_user("admin")
    assert_problem(api.post("/users", admin, json=_payload("buyer_purchaser", organization_id=99999)), 404)


def test_create_user_admin_org_role_without_org_422(api, make_user):
    admin = make_user("admin")
    assert_problem(api.post("/users", admin, json=_payload("supplier_manager")), 422, field="organization_id")


def test_create_user_admin_staff_with_org_422(api, make_org, make_user):
    admin = make_user("admin")
    org = make_org("canteen")
    resp = api.post("/users", admin, json=_payload("auditor", organization_id=org.id))
    assert_problem(resp, 422, field="organization_id")


def test_create_user_supplier_manager_for_own_org_201(api, make_org, make_user):
    org = make_org("cooperative")
    manager = make_user("supplier_manager", org=org)
    resp = api.post("/users", manager, json=_payload("supplier_manager", organization_id=org.id))
    assert resp.status_code == 201 and resp.get_json()["organization"]["id"] == org.id


def test_create_user_supplier_manager_org_defaults_to_own(api, make_org, make_user):
    org = make_org("cooperative")
    manager = make_user("supplier_manager", org=org)
    resp = api.post("/users", manager, json=_payload("supplier_manager"))
    assert resp.status_code == 201 and resp.get_json()["organization"]["id"] == org.id


def test_create_user_supplier_manager_for_other_org_404(api, make_org, make_user):
    org, other = make_org("cooperative"), make_org("cooperative")
    manager = make_user("supplier_manager", org=org)
    resp = api.post("/users", manager, json=_payload("supplier_manager", organization_id=other.id))
    assert_problem(resp, 404)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_create_user_supplier_manager_creating_staff_403(api, make_org, make_user, role):
    manager = make_user("supplier_manager", org=make_org("cooperative"))
    assert_problem(api.post("/users", manager, json=_payload(role)), 403)


def test_create_user_buyer_approver_creates_purchaser_201(api, make_org, make_user):
    org = make_org("school")
    approver = make_user("buyer_approver", org=org)
    resp = api.post("/users", approver, json=_payload("buyer_purchaser"))
    assert resp.status_code == 201 and resp.get_json()["role"] == "buyer_purchaser"


@pytest.mark.parametrize("role,org_kind", [("buyer_purchaser", "canteen"), ("auditor", None)])
def test_create_user_role_may_not_create_users_403(api, make_org, make_user, role, org_kind):
    actor = make_user(role, org=make_org(org_kind) if org_kind else None)
    assert_problem(api.post("/users", actor, json=_payload("buyer_purchaser")), 403)


def test_create_user_without_token_401(api):
    assert_problem(api.post("/users", json=_payload("auditor")), 401)


def test_create_user_duplicate_email_409(api, make_user):
    admin = make_user("admin")
    existing = make_user("auditor")
    resp = api.post("/users", admin, json=_payload("auditor", email=existing.email.upper()))
    assert_problem(resp, 409)


@pytest.mark.parametrize("role,org_kind", [("buyer_purchaser", "cooperative"), ("supplier_manager", "canteen")])
def test_create_user_role_org_kind_mismatch_422_naming_role(api, make_org, make_user, role, org_kind):
    admin = make_user("admin")
    org = make_org(org_kind)
    assert_problem(api.post("/users", admin, json=_payload(role, organization_id=org.id)), 422, field="role")


def test_create_user_supplier_manager_creating_buyer_role_422(api, make_org, make_user):
    manager = make_user("supplier_manager", org=make_org("cooperative"))
    assert_problem(api.post("/users", manager, json=_payload("buyer_approver")), 422, field="role")


@pytest.mark.parametrize("field,value", [("email", "not-an-email"), ("password", "short"), ("role", "root"),
                                         ("region_scope", "123"), ("organization_id", "1")])
def test_create_user_invalid_field_422_naming_it(api, make_user, field, value):
    admin = make_user("admin")
    body = _payload("auditor")
    body[field] = value
    assert_problem(api.post("/users", admin, json=body), 422, field=field)


def test_create_user_refused_writes_nothing(api, db, make_user):
    admin = make_user("admin", region_scope="5117")
    api.post("/users", admin, json=_payload("auditor", email="x@example.cn", region_scope="11"))
    assert db.session.scalar(select(User).where(User.email == "x@example.cn")) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create")) is None


def test_create_user_password_is_hashed(api, db, make_user):
    admin = make_user("admin")
    api.post("/users", admin, json=_payload("auditor", email="h@example.cn"))
    stored = db.session.scalar(select(User.password_hash).where(User.email == "h@example.cn"))
    assert stored.startswith("$argon2id$") and "a-long-password" not in stored
    assert PASSWORD not in stored
