"""Token lifecycle: login, /me, expiry, refresh rotation with reuse detection, logout."""
import hashlib
from datetime import timedelta

import time_machine
from sqlalchemy import select, text

from marketplace.accounts.models import AuthToken
from marketplace.core.db import utcnow
from tests.factories import PASSWORD
from tests.helpers import assert_problem


def _login(api, email, password=PASSWORD):
    return api.post("/auth/token", json={"email": email, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _me(api, token):
    return api.get("/me", headers=_bearer(token))


def _refresh(api, refresh_token):
    return api.post("/auth/refresh", json={"refresh_token": refresh_token})


def test_login_valid_credentials_returns_bearer_pair(api, app, make_user):
    user = make_user("admin")
    resp = _login(api, user.email)
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["ACCESS_TOKEN_TTL_SECONDS"]
    assert body["access_token"] != body["refresh_token"]


def test_login_email_is_case_insensitive(api, make_user):
    user = make_user("admin", email="Mixed.Case@example.cn")
    assert _login(api, "MIXED.case@example.cn").status_code == 200
    assert user.email == "mixed.case@example.cn"


def test_login_bad_password_and_unknown_email_same_401_body(api, make_user):
    user = make_user("admin")
    wrong_password = _login(api, user.email, "not-the-password")
    unknown_email = _login(api, "nobody@example.cn", "not-the-password")
    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.get_json() == unknown_email.get_json()


def test_login_inactive_user_is_401_like_bad_password(api, db, make_user):
    user = make_user("admin")
    user.is_active = False
    db.session.commit()
    resp = _login(api, user.email)
    assert_problem(resp, 401)
    assert resp.get_json() == _login(api, "nobody@example.cn", "x-password").get_json()


def test_me_with_access_token_returns_user(api, make_org, make_user):
    org = make_org("canteen")
    user = make_user("buyer_approver", org=org)
    token = _login(api, user.email).get_json()["access_token"]
    resp = _me(api, token)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["id"] == user.id and body["email"] == user.email and body["role"] == "buyer_approver"
    assert body["organization"]["id"] == org.id and body["organization"]["kind"] == "canteen"
    assert body["region_scope"] == ""
    assert "password_hash" not in body


def test_me_staff_user_has_no_organization(api, make_user):
    admin = make_user("admin", region_scope="5117")
    body = api.get("/me", admin).get_json()
    assert body["organization"] is None and body["region_scope"] == "5117"


def test_me_without_token_is_401(api):
    assert_problem(api.get("/me"), 401)


def test_me_with_garbage_or_non_bearer_token_is_401(api):
    assert_problem(api.get("/me", headers=_bearer("garbage")), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_me_with_refresh_token_as_access_is_401(api, make_user):
    user = make_user("admin")
    pair = _login(api, user.email).get_json()
    assert_problem(_me(api, pair["refresh_token"]), 401)


def test_access_token_after_ttl_is_401(api, app, make_user):
    # given
    user = make_user("admin")
    token = _login(api, user.email).get_json()["access_token"]
    assert _me(api, token).status_code == 200
    # when
    ttl = app.config["ACCESS_TOKEN_TTL_SECONDS"]
    with time_machine.travel(utcnow() + timedelta(seconds=ttl + 5), tick=False):
        resp = _me(api, token)
    # then
    assert_problem(resp, 401)


def test_access_token_just_before_ttl_still_works(api, app, make_user):
    user = make_user("admin")
    token = _login(api, user.email).get_json()["access_token"]
    ttl = app.config["ACCESS_TOKEN_TTL_SECONDS"]
    with time_machine.travel(utcnow() + timedelta(seconds=ttl - 60), tick=False):
        assert _me(api, token).status_code == 200


def test_refresh_token_after_its_ttl_is_401(api, app, make_user):
    user = make_user("admin")
    pair = _login(api, user.email).get_json()
    ttl = app.config["REFRESH_TOKEN_TTL_SECONDS"]
    with time_machine.travel(utcnow() + timedelta(seconds=ttl + 5), tick=False):
        assert_problem(_refresh(api, pair["refresh_token"]), 401)


def test_refresh_rotation_gives_new_pair_and_old_access_stops(api, make_user):
    # given
    user = make_user("admin")
    first = _login(api, user.email).get_json()
    # when
    resp = _refresh(api, first["refresh_token"])
    # then
    assert resp.status_code == 200
    second = resp.get_json()
    assert second["token_type"] == "Bearer"
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert_problem(_me(api, first["access_token"]), 401)
    assert _me(api, second["access_token"]).status_code == 200


def test_refresh_reuse_is_401_and_revokes_whole_family(api, make_user):
    # given: a login rotated twice
    user = make_user("admin")
    first = _login(api, user.email).get_json()
    second = _refresh(api, first["refresh_token"]).get_json()
    third = _refresh(api, second["refresh_token"]).get_json()
    assert _me(api, third["access_token"]).status_code == 200
    # when: the first (already used) refresh token comes back
    reuse = _refresh(api, first["refresh_token"])
    # then
    assert_problem(reuse, 401)
    assert_problem(_me(api, third["access_token"]), 401)
    assert_problem(_refresh(api, third["refresh_token"]), 401)


def test_refresh_reuse_leaves_other_sessions_alone(api, make_user):
    user = make_user("admin")
    stolen = _login(api, user.email).get_json()
    other = _login(api, user.email).get_json()
    _refresh(api, stolen["refresh_token"])
    assert_problem(_refresh(api, stolen["refresh_token"]), 401)
    assert _me(api, other["access_token"]).status_code == 200
    assert _refresh(api, other["refresh_token"]).status_code == 200


def test_refresh_unknown_token_is_401(api):
    assert_problem(_refresh(api, "not-a-token"), 401)


def test_refresh_with_access_token_is_401(api, make_user):
    user = make_user("admin")
    pair = _login(api, user.email).get_json()
    assert_problem(_refresh(api, pair["access_token"]), 401)


def test_refresh_missing_field_is_422_naming_it(api):
    assert_problem(api.post("/auth/refresh", json={}), 422, field="refresh_token")


def test_logout_is_204_and_tokens_then_401(api, make_user):
    # given
    user = make_user("admin")
    pair = _login(api, user.email).get_json()
    # when
    resp = api.post("/auth/logout", headers=_bearer(pair["access_token"]))
    # then
    assert resp.status_code == 204
    assert resp.get_data() == b""
    assert_problem(_me(api, pair["access_token"]), 401)
    assert_problem(_refresh(api, pair["refresh_token"]), 401)


def test_logout_without_token_is_401(api):
    assert_problem(api.post("/auth/logout"), 401)


def test_logout_leaves_other_sessions_alone(api, make_user):
    user = make_user("admin")
    one = _login(api, user.email).get_json()
    two = _login(api, user.email).get_json()
    api.post("/auth/logout", headers=_bearer(one["access_token"]))
    assert _me(api, two["access_token"]).status_code == 200


def test_tokens_are_stored_hashed_never_raw(api, db, make_user):
    user = make_user("admin")
    pair = _login(api, user.email).get_json()
    rows = db.session.execute(text("SELECT token_hash, kind FROM auth_tokens")).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert pair["access_token"] not in stored and pair["refresh_token"] not in stored
    hashes = set(db.session.scalars(select(AuthToken.token_hash)))
    for raw in (pair["access_token"], pair["refresh_token"]):
        assert hashlib.sha256(raw.encode()).hexdigest() in hashes


def test_tokens_are_long_and_random(api, make_user):
    user = make_user("admin")
    tokens = {_login(api, user.email).get_json()["access_token"] for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) >= 40 for t in tokens)
