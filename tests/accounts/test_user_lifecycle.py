"""Account lifecycle (issue 15): deactivate/reactivate, change own password, admin-issued one-time
reset tokens; deactivated users and users of suspended organizations cannot use tokens or log in."""
import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import assert_problem

OTHER_COUNTY = "510104"


def login(api, user, password=PASSWORD):
    return api.post("/auth/token", json={"email": user.email, "password": password})


def bearer(pair):
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture
def buyer_org(make_org):
    return make_org(kind="canteen")


def test_admin_deactivates_a_user_who_then_gets_401_and_cannot_log_in(api, db, make_user, buyer_org):
    admin = make_user("admin", region_scope="5117")
    purchaser = make_user("buyer_purchaser", org=buyer_org)
    pair = login(api, purchaser).get_json()
    resp = api.post(f"/users/{purchaser.id}/deactivate", admin)
    assert resp.status_code == 200 and resp.get_json()["is_active"] is False
    assert api.get("/me", headers=bearer(pair)).status_code == 401
    assert login(api, purchaser).status_code == 401
    assert api.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivate"))
    assert event.entity_id == str(purchaser.id) and event.region_code == buyer_org.region_code
    # reactivated: logs in again
    resp = api.post(f"/users/{purchaser.id}/reactivate", admin)
    assert resp.status_code == 200 and resp.get_json()["is_active"] is True
    assert login(api, purchaser).status_code == 200


def test_who_may_deactivate(api, make_user, make_org, buyer_org):
    target = make_user("buyer_purchaser", org=buyer_org)
    approver = make_user("buyer_approver", org=buyer_org)
    other_approver = make_user("buyer_approver", org=make_org(kind="school"))
    for role in ("auditor", "supplier_manager"):
        assert api.post(f"/users/{target.id}/deactivate", make_user(role) if role == "auditor" else
                        make_user(role, org=make_org())).status_code in (403, 404)
    assert api.post(f"/users/{target.id}/deactivate").status_code == 401
    assert_problem(api.post(f"/users/{target.id}/deactivate", make_user("admin", region_scope=OTHER_COUNTY)), 404)
    assert_problem(api.post(f"/users/{target.id}/deactivate", other_approver), 404)
    assert_problem(api.post(f"/users/{target.id}/deactivate", make_user("buyer_purchaser", org=buyer_org)), 403)
    assert_problem(api.post(f"/users/{approver.id}/deactivate", approver), 403)  # not oneself
    assert_problem(api.post("/users/999999/deactivate", make_user("admin")), 404)
    assert api.post(f"/users/{target.id}/deactivate", approver).status_code == 200
    assert api.post(f"/users/{target.id}/reactivate", approver).status_code == 200


def test_a_county_admin_may_not_deactivate_a_national_admin(api, make_user):
    national = make_user("admin")
    assert_problem(api.post(f"/users/{national.id}/deactivate", make_user("admin", region_scope="5117")), 404)


def test_users_of_a_suspended_organization_get_401_and_cannot_log_in(api, db, make_user, buyer_org):
    approver = make_user("buyer_approver", org=buyer_org)
    pair = login(api, approver).get_json()
    buyer_org.status = "suspended"
    db.session.commit()
    assert api.get("/me", headers=bearer(pair)).status_code == 401
    assert login(api, approver).status_code == 401
    body = {"email": "x@example.cn", "password": "a-long-password", "name": "新", "role": "buyer_purchaser"}
    assert api.post("/users", headers=bearer(pair), json=body).status_code == 401


def test_change_own_password_revokes_the_other_sessions(api, make_user):
    user = make_user("auditor")
    this, other = login(api, user).get_json(), login(api, user).get_json()
    body = {"current_password": PASSWORD, "new_password": "a-new-long-password"}
    assert_problem(api.post("/auth/password", headers=bearer(this), json={**body, "current_password": "wrong-one"}),
                   403)
    assert api.post("/auth/password", headers=bearer(this), json=body).status_code == 204
    assert api.get("/me", headers=bearer(this)).status_code == 200
    assert api.get("/me", headers=bearer(other)).status_code == 401
    assert api.post("/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 401
    assert login(api, user).status_code == 401
    assert login(api, user, "a-new-long-password").status_code == 200
    assert_problem(api.post("/auth/password", headers=bearer(this),
                            json={"current_password": "a-new-long-password", "new_password": "short"}),
                   422, "new_password")


def test_admin_issues_a_one_time_reset_token(api, db, make_user, buyer_org):
    admin = make_user("admin", region_scope="5117")
    user = make_user("buyer_purchaser", org=buyer_org)
    session = login(api, user).get_json()
    assert_problem(api.post(f"/users/{user.id}/password-reset", make_user("admin", region_scope=OTHER_COUNTY)), 404)
    assert_problem(api.post(f"/users/{user.id}/password-reset", make_user("buyer_approver", org=buyer_org)), 403)
    resp = api.post(f"/users/{user.id}/password-reset", admin)
    assert resp.status_code == 201
    token = resp.get_json()["reset_token"]
    reset = {"reset_token": token, "new_password": "reset-long-password"}
    assert api.post("/auth/password/reset", json=reset).status_code == 204
    assert api.get("/me", headers=bearer(session)).status_code == 401  # every session ends
    assert login(api, user, "reset-long-password").status_code == 200
    # one time only
    assert_problem(api.post("/auth/password/reset", json={**reset, "new_password": "again-long-password"}), 401)
    assert_problem(api.post("/auth/password/reset", json={**reset, "reset_token": "forged"}), 401)
    assert "reset_token" not in str(db.session.scalars(select(AuditEvent.after)).all())


def test_an_expired_reset_token_is_401(api, app, make_user, buyer_org):
    admin = make_user("admin")
    user = make_user("buyer_purchaser", org=buyer_org)
    token = api.post(f"/users/{user.id}/password-reset", admin).get_json()["reset_token"]
    app.config["PASSWORD_RESET_TTL_SECONDS"] = -1
    assert_problem(api.post("/auth/password/reset", json={"reset_token": token, "new_password": "reset-long-pw"}), 401)
