"""Organizations: registration, scoped reads, updates, verify/suspend, procurement targets."""
import itertools

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.organizations.models import Organization, ProcurementTarget
from tests.factories import DEFAULT_VILLAGE, make_uscc
from tests.helpers import assert_problem

OTHER_COUNTY = "510104"  # 成都市 锦江区
_n = itertools.count(900_000)


def _registration(kind="cooperative", region_code=DEFAULT_VILLAGE[:6], uscc=None, email=None, **extra):
    n = next(_n)
    body = {"kind": kind, "name": f"{kind} {n}", "uscc": uscc or make_uscc(n), "region_code": region_code,
            "contact_name": "王五", "contact_phone": "13800000000",
            "manager": {"email": email or f"manager{n}@example.cn", "password": "a-long-password", "name": "王经理"}}
    body.update(extra)
    return body


@pytest.fixture
def regions(make_region):
    make_region(DEFAULT_VILLAGE)
    make_region(OTHER_COUNTY, name="锦江区")


@pytest.mark.parametrize("kind,role", [("cooperative", "supplier_manager"), ("enterprise", "supplier_manager"),
                                       ("canteen", "buyer_approver"), ("school", "buyer_approver")])
def test_register_organization_201_pending_with_manager(api, db, regions, kind, role):
    # given
    body = _registration(kind)
    # when
    resp = api.post("/organizations", json=body)
    # then
    assert resp.status_code == 201, resp.get_json()
    org = resp.get_json()
    assert org["status"] == "pending" and org["kind"] == kind and org["uscc"] == body["uscc"]
    manager = db.session.scalar(select(User).where(User.email == body["manager"]["email"]))
    assert manager.role == role and manager.organization_id == org["id"]
    login = api.post("/auth/token", json={"email": body["manager"]["email"], "password": "a-long-password"})
    assert login.status_code == 200
    me = api.get("/me", headers={"Authorization": f"Bearer {login.get_json()['access_token']}"}).get_json()
    assert me["organization"]["id"] == org["id"] and me["role"] == role
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.register"))
    assert event.entity_id == str(org["id"]) and event.region_code == body["region_code"]


def test_register_organization_collective_at_village_201(api, regions):
    resp = api.post("/organizations", json=_registration("collective", region_code=DEFAULT_VILLAGE))
    assert resp.status_code == 201


def test_register_organization_collective_not_at_village_422(api, regions):
    resp = api.post("/organizations", json=_registration("collective", region_code=DEFAULT_VILLAGE[:6]))
    assert_problem(resp, 422, field="region_code")


def test_register_organization_unknown_region_422(api, regions):
    assert_problem(api.post("/organizations", json=_registration(region_code="999999")), 422, field="region_code")


@pytest.mark.parametrize("uscc", ["91511781000090000X", "91511781000090000", "", "9151178100009000OO",
                                  "915117810000900001A"])
def test_register_organization_invalid_uscc_422_naming_uscc(api, db, regions, uscc):
    body = _registration()
    if uscc == "91511781000090000X":
        uscc = body["uscc"][:17] + ("0" if body["uscc"][17] != "0" else "1")  # wrong check character
    body["uscc"] = uscc
    assert_problem(api.post("/organizations", json=body), 422, field="uscc")
    assert db.session.scalar(select(Organization.id)) is None


def test_register_organization_uscc_normalised_before_check(api, regions):
    body = _registration()
    code = body["uscc"]
    body["uscc"] = f"  {code.lower()} "
    resp = api.post("/organizations", json=body)
    assert resp.status_code == 201 and resp.get_json()["uscc"] == code
    duplicate = _registration(uscc=code.lower())
    assert_problem(api.post("/organizations", json=duplicate), 409)


def test_register_organization_duplicate_uscc_409(api, db, regions):
    first = _registration()
    assert api.post("/organizations", json=first).status_code == 201
    resp = api.post("/organizations", json=_registration(uscc=first["uscc"]))
    assert_problem(resp, 409)
    assert db.session.scalar(select(Organization).where(Organization.name.startswith("cooperative"))).id


def test_register_organization_manager_email_taken_409_nothing_saved(api, db, regions, make_user):
    existing = make_user("admin")
    resp = api.post("/organizations", json=_registration(email=existing.email))
    assert_problem(resp, 409)
    assert db.session.scalar(select(Organization.id)) is None


@pytest.mark.parametrize("field,value", [("kind", "bank"), ("contact_phone", "call me"), ("region_code", "51"),
                                         ("manager", {"email": "x@example.cn"}), ("name", "")])
def test_register_organization_invalid_field_422_naming_it(api, regions, field, value):
    body = _registration()
    body[field] = value
    assert_problem(api.post("/organizations", json=body), 422, field=field)


def test_list_organizations_county_admin_sees_only_own_county(api, make_org, make_user):
    # given
    here, there = make_org("canteen"), make_org("canteen", region_code=OTHER_COUNTY)
    admin = make_user("admin", region_scope=DEFAULT_VILLAGE[:6])
    # when
    body = api.get("/organizations", admin).get_json()
    # then
    assert [o["id"] for o in body["items"]] == [here.id] and body["total"] == 1
    assert there.id not in [o["id"] for o in body["items"]]


def test_list_organizations_national_auditor_sees_all_with_filters(api, make_org, make_user):
    coop = make_org("cooperative", status="pending")
    canteen = make_org("canteen", region_code=OTHER_COUNTY)
    auditor = make_user("auditor")
    assert api.get("/organizations", auditor).get_json()["total"] == 2
    assert [o["id"] for o in api.get("/organizations?kind=canteen", auditor).get_json()["items"]] == [canteen.id]
    assert [o["id"] for o in api.get("/organizations?status=pending", auditor).get_json()["items"]] == [coop.id]
    assert [o["id"] for o in api.get("/organizations?region=5101", auditor).get_json()["items"]] == [canteen.id]


def test_list_organizations_region_filter_cannot_widen_scope(api, make_org, make_user):
    make_org("canteen", region_code=OTHER_COUNTY)
    admin = make_user("admin", region_scope="5117")
    assert api.get("/organizations?region=51", admin).get_json()["total"] == 0


@pytest.mark.parametrize("role,kind", [("supplier_manager", "cooperative"), ("buyer_approver", "canteen"),
                                       ("buyer_purchaser", "canteen")])
def test_list_organizations_org_users_403(api, make_org, make_user, role, kind):
    assert_problem(api.get("/organizations", make_user(role, org=make_org(kind))), 403)


def test_list_organizations_without_token_401(api):
    assert_problem(api.get("/organizations"), 401)


def test_get_organization_admin_of_other_county_404(api, make_org, make_user):
    org = make_org("canteen", region_code=OTHER_COUNTY)
    admin = make_user("admin", region_scope=DEFAULT_VILLAGE[:6])
    assert_problem(api.get(f"/organizations/{org.id}", admin), 404)


def test_get_organization_admin_in_scope_200(api, make_org, make_user):
    org = make_org("canteen")
    admin = make_user("admin", region_scope="5117")
    resp = api.get(f"/organizations/{org.id}", admin)
    assert resp.status_code == 200 and resp.get_json()["id"] == org.id


@pytest.mark.parametrize("role", ["buyer_purchaser", "buyer_approver"])
def test_get_organization_own_member_200(api, make_org, make_user, role):
    org = make_org("canteen")
    assert api.get(f"/organizations/{org.id}", make_user(role, org=org)).status_code == 200


def test_get_organization_other_orgs_user_404(api, make_org, make_user):
    org, other = make_org("canteen"), make_org("cooperative")
    assert_problem(api.get(f"/organizations/{org.id}", make_user("supplier_manager", org=other)), 404)


def test_get_organization_unknown_404_and_no_token_401(api, make_org, make_user):
    org = make_org("canteen")
    assert_problem(api.get("/organizations/99999", make_user("admin")), 404)
    assert_problem(api.get(f"/organizations/{org.id}"), 401)


def test_update_organization_threshold_by_own_buyer_approver_200_audited(api, db, make_org, make_user):
    # given
    org = make_org("canteen")
    approver = make_user("buyer_approver", org=org)
    # when
    resp = api.patch(f"/organizations/{org.id}", approver, json={"approval_threshold_fen": 500_000,
                                                                  "contact_phone": "028-12345678"})
    # then
    assert resp.status_code == 200
    assert resp.get_json()["approval_threshold_fen"] == 500_000
    assert resp.get_json()["contact_phone"] == "028-12345678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.update"))
    assert event.before["approval_threshold_fen"] is None and event.after["approval_threshold_fen"] == 500_000


def test_update_organization_threshold_on_supplier_422(api, make_org, make_user):
    org = make_org("cooperative")
    manager = make_user("supplier_manager", org=org)
    resp = api.patch(f"/organizations/{org.id}", manager, json={"approval_threshold_fen": 100})
    assert_problem(resp, 422, field="approval_threshold_fen")


def test_update_organization_contact_by_supplier_manager_200(api, make_org, make_user):
    org = make_org("cooperative")
    manager = make_user("supplier_manager", org=org)
    resp = api.patch(f"/organizations/{org.id}", manager, json={"contact_name": "新联系人"})
    assert resp.status_code == 200 and resp.get_json()["contact_name"] == "新联系人"


@pytest.mark.parametrize("role", ["buyer_purchaser", "auditor"])
def test_update_organization_wrong_role_403(api, make_org, make_user, role):
    org = make_org("canteen")
    user = make_user(role, org=org if role != "auditor" else None)
    assert_problem(api.patch(f"/organizations/{org.id}", user, json={"approval_threshold_fen": 100}), 403)


def test_update_organization_other_org_404(api, make_org, make_user):
    org, other = make_org("canteen"), make_org("canteen")
    approver = make_user("buyer_approver", org=other)
    assert_problem(api.patch(f"/organizations/{org.id}", approver, json={"approval_threshold_fen": 100}), 404)


def test_update_organization_admin_out_of_scope_404(api, make_org, make_user):
    org = make_org("canteen", region_code=OTHER_COUNTY)
    admin = make_user("admin", region_scope="5117")
    assert_problem(api.patch(f"/organizations/{org.id}", admin, json={"contact_name": "x"}), 404)


@pytest.mark.parametrize("value", [-1, "100", 1.5, 10**16, True])
def test_update_organization_bad_threshold_422(api, make_org, make_user, value):
    org = make_org("canteen")
    approver = make_user("buyer_approver", org=org)
    resp = api.patch(f"/organizations/{org.id}", approver, json={"approval_threshold_fen": value})
    assert_problem(resp, 422, field="approval_threshold_fen")


@pytest.mark.parametrize("field", ["status", "uscc", "kind"])
def test_update_organization_protected_field_422(api, make_org, make_user, field):
    org = make_org("canteen")
    approver = make_user("buyer_approver", org=org)
    assert_problem(api.patch(f"/organizations/{org.id}", approver, json={field: "verified"}), 422, field=field)


@pytest.mark.parametrize("action,start,end", [("verify", "pending", "verified"), ("verify", "suspended", "verified"),
                                              ("suspend", "pending", "suspended"),
                                              ("suspend", "verified", "suspended")])
def test_change_status_allowed_transition_200_audited(api, db, make_org, make_user, action, start, end):
    org = make_org("cooperative", status=start)
    admin = make_user("admin", region_scope="5117")
    resp = api.post(f"/organizations/{org.id}/{action}", admin)
    assert resp.status_code == 200 and resp.get_json()["status"] == end
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == f"organization.{action}"))
    assert event.before == {"status": start} and event.after == {"status": end} and event.actor_id == admin.id


@pytest.mark.parametrize("action,state", [("verify", "verified"), ("suspend", "suspended")])
def test_change_status_wrong_state_409_with_current_state(api, make_org, make_user, action, state):
    org = make_org("cooperative", status=state)
    body = assert_problem(api.post(f"/organizations/{org.id}/{action}", make_user("admin")), 409)
    assert body["current_state"] == state


@pytest.mark.parametrize("role", ["auditor", "supplier_manager"])
def test_change_status_non_admin_403(api, make_org, make_user, role):
    org = make_org("cooperative", status="pending")
    user = make_user(role, org=org if role == "supplier_manager" else None)
    assert_problem(api.post(f"/organizations/{org.id}/verify", user), 403)


def test_change_status_admin_out_of_scope_404(api, make_org, make_user):
    org = make_org("cooperative", status="pending", region_code=OTHER_COUNTY)
    assert_problem(api.post(f"/organizations/{org.id}/verify", make_user("admin", region_scope="5117")), 404)


def test_set_procurement_target_200_then_update(api, db, make_org, make_user):
    # given
    org = make_org("hospital")
    admin = make_user("admin")
    # when
    first = api.put(f"/organizations/{org.id}/procurement-targets/2025", admin, json={"target_fen": 1_000_000})
    second = api.put(f"/organizations/{org.id}/procurement-targets/2025", admin, json={"target_fen": 2_000_000})
    # then
    assert first.status_code == 200 and second.status_code == 200
    assert second.get_json() == {"organization_id": org.id, "year": 2025, "target_fen": 2_000_000}
    targets = db.session.scalars(select(ProcurementTarget)).all()
    assert [(t.year, t.target_fen) for t in targets] == [(2025, 2_000_000)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organization.target")).all()
    assert len(events) == 2 and events[1].before == {"year": 2025, "target_fen": 1_000_000}


def test_set_procurement_target_supplier_org_422(api, make_org, make_user):
    org = make_org("cooperative")
    assert_problem(api.put(f"/organizations/{org.id}/procurement-targets/2025", make_user("admin"),
                           json={"target_fen": 100}), 422)


@pytest.mark.parametrize("body,field", [({"target_fen": -1}, "target_fen"), ({}, "target_fen"),
                                        ({"target_fen": "100"}, "target_fen")])
def test_set_procurement_target_invalid_422(api, make_org, make_user, body, field):
    org = make_org("canteen")
    resp = api.put(f"/organizations/{org.id}/procurement-targets/2025", make_user("admin"), json=body)
    assert_problem(resp, 422, field=field)


def test_set_procurement_target_absurd_year_422(api, make_org, make_user):
    org = make_org("canteen")
    resp = api.put(f"/organizations/{org.id}/procurement-targets/1800", make_user("admin"), json={"target_fen": 1})
    assert_problem(resp, 422, field="year")


@pytest.mark.parametrize("role", ["auditor", "buyer_approver"])
def test_set_procurement_target_non_admin_403(api, make_org, make_user, role):
    org = make_org("canteen")
    user = make_user(role, org=org if role == "buyer_approver" else None)
    resp = api.put(f"/organizations/{org.id}/procurement-targets/2025", user, json={"target_fen": 1})
    assert_problem(resp, 403)


def test_set_procurement_target_out_of_scope_404(api, make_org, make_user):
    org = make_org("canteen", region_code=OTHER_COUNTY)
    resp = api.put(f"/organizations/{org.id}/procurement-targets/2025", make_user("admin", region_scope="5117"),
                   json={"target_fen": 1})
    assert_problem(resp, 404)


def test_a_second_collective_for_a_village_is_409_until_the_first_is_suspended(api, db, regions, make_user):
    admin = make_user("admin")
    first = api.post("/organizations", json=_registration("collective", region_code=DEFAULT_VILLAGE))
    assert first.status_code == 201
    # pending counts: a second registration for the village is refused, anonymous or not
    second = _registration("collective", region_code=DEFAULT_VILLAGE)
    assert_problem(api.post("/organizations", json=second), 409)
    assert api.post(f"/organizations/{first.get_json()['id']}/verify", admin).status_code == 200
    assert_problem(api.post("/organizations", json=second), 409)
    assert api.post(f"/organizations/{first.get_json()['id']}/suspend", admin).status_code == 200
    again = api.post("/organizations", json=second)
    assert again.status_code == 201
    # the suspended first one cannot be verified again while the second stands
    assert_problem(api.post(f"/organizations/{first.get_json()['id']}/verify", admin), 409)
    # other kinds at the village are not concerned
    assert api.post("/organizations", json=_registration("cooperative", region_code=DEFAULT_VILLAGE)).status_code == 201
