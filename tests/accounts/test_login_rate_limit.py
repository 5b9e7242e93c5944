"""Repeated failed logins get 429 with Retry-After and the contract body."""
from datetime import timedelta

import time_machine

from marketplace.core.db import utcnow
from tests.factories import PASSWORD
from tests.helpers import assert_problem


def _attempt(api, email, password):
    return api.post("/auth/token", json={"email": email, "password": password})


def _limit_count(app):
    # "5 per minute" -> 5
    return int(app.config["LOGIN_RATE_LIMIT"].split()[0])


def test_login_sixth_failure_is_429_with_retry_after(api, app, make_user):
    # given
    user = make_user("admin")
    for _ in range(_limit_count(app)):
        assert _attempt(api, user.email, "wrong-password").status_code == 401
    # when
    resp = _attempt(api, user.email, "wrong-password")
    # then
    body = assert_problem(resp, 429)
    assert set(body) <= {"status", "title", "detail"}
    assert body["title"] == "Too Many Requests" and body["detail"]
    assert resp.mimetype == "application/problem+json"
    retry_after = int(resp.headers["Retry-After"])
    assert 0 < retry_after <= 60


def test_login_when_limited_refuses_even_right_password(api, app, make_user):
    user = make_user("admin")
    for _ in range(_limit_count(app)):
        _attempt(api, user.email, "wrong-password")
    assert_problem(_attempt(api, user.email, PASSWORD), 429)


def test_login_unknown_emails_count_as_failures(api, app):
    for n in range(_limit_count(app)):
        assert _attempt(api, f"nobody{n}@example.cn", "wrong-password").status_code == 401
    assert_problem(_attempt(api, "nobody@example.cn", "wrong-password"), 429)


def test_login_successes_do_not_count_toward_limit(api, app, make_user):
    # given: one failure short of the limit, then many successful logins
    user = make_user("admin")
    limit = _limit_count(app)
    for _ in range(limit - 1):
        assert _attempt(api, user.email, "wrong-password").status_code == 401
    for _ in range(limit + 2):
        assert _attempt(api, user.email, PASSWORD).status_code == 200
    # when / then: the last allowed failure is still a 401, the next one 429
    assert _attempt(api, user.email, "wrong-password").status_code == 401
    assert_problem(_attempt(api, user.email, "wrong-password"), 429)


def test_login_validation_errors_do_not_count_toward_limit(api, app, make_user):
    user = make_user("admin")
    for _ in range(_limit_count(app) + 2):
        assert _attempt(api, user.email, "").status_code == 422
    assert _attempt(api, user.email, PASSWORD).status_code == 200


def test_login_limit_window_passes_then_allowed_again(api, app, make_user):
    user = make_user("admin")
    for _ in range(_limit_count(app)):
        _attempt(api, user.email, "wrong-password")
    assert_problem(_attempt(api, user.email, PASSWORD), 429)
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        assert _attempt(api, user.email, PASSWORD).status_code == 200


def test_refresh_endpoint_is_not_login_limited(api, app, make_user):
    user = make_user("admin")
    for _ in range(_limit_count(app)):
        _attempt(api, user.email, "wrong-password")
    for _ in range(3):
        assert_problem(api.post("/auth/refresh", json={"refresh_token": "nope"}), 401)


def test_login_429_retry_after_follows_configured_window_without_limiter_headers(tmp_path):
    from marketplace import create_app
    from marketplace.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rl.db'}", "LOGIN_RATE_LIMIT": "2 per hour",
                      "RATELIMIT_HEADERS_ENABLED": False})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(2):
        assert client.post("/api/v1/auth/token", json={"email": "a@b.cn", "password": "wrong-pw"}).status_code == 401
    resp = client.post("/api/v1/auth/token", json={"email": "a@b.cn", "password": "wrong-pw"})
    assert_problem(resp, 429)
    assert 60 < int(resp.headers["Retry-After"]) <= 3600
    with app.app_context():
        db.engine.dispose()
