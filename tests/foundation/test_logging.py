"""Structured request logs: JSON with the request id; no secrets, tokens or passwords."""
import json
import logging

from tests.factories import PASSWORD


def _request_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "marketplace.request"]


def test_request_log_line_is_json_with_request_id(api, caplog):
    caplog.set_level(logging.INFO)
    api.get("/healthz", headers={"X-Request-ID": "req-log-1"})
    (line,) = _request_lines(caplog)
    assert line["request_id"] == "req-log-1"
    assert line["event"] == "request" and line["method"] == "GET" and line["path"] == "/healthz"
    assert line["status"] == 200 and line["level"] == "info" and "timestamp" in line


def test_request_log_omits_query_string(api, caplog):
    caplog.set_level(logging.INFO)
    api.get("/regions?q=张三")
    (line,) = _request_lines(caplog)
    assert line["path"] == "/api/v1/regions" and "张三" not in caplog.text


def test_login_and_me_never_log_password_or_tokens(api, make_user, caplog, capsys):
    # given
    user = make_user("admin", email="secret.person@example.cn")
    caplog.set_level(logging.DEBUG, logger="marketplace")
    caplog.set_level(logging.INFO)
    # when
    api.post("/auth/token", json={"email": user.email, "password": "wrong-password-xyz"})
    pair = api.post("/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    api.get("/me", headers=auth)
    api.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    api.post("/auth/logout", headers=auth)
    # then
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert len(_request_lines(caplog)) == 5
    for secret in (PASSWORD, "wrong-password-xyz", pair["access_token"], pair["refresh_token"], "Bearer",
                   "secret.person"):
        assert secret not in logged


def test_secret_keys_passed_to_logger_are_redacted(app, caplog):
    import structlog

    caplog.set_level(logging.INFO)
    with app.test_request_context():
        structlog.get_logger("marketplace.test").info("probe", password="hunter2hunter2", token="tok-123",
                                                      Authorization="Bearer abc", id_number="110101199003074514")
    text = caplog.text
    for secret in ("hunter2hunter2", "tok-123", "Bearer abc", "110101199003074514"):
        assert secret not in text
    assert "[redacted]" in text


def test_request_id_does_not_leak_past_its_request(api, db, make_user):
    from marketplace.audit.services import record

    admin = make_user("admin")
    api.get("/healthz", headers={"X-Request-ID": "req-gone"})
    event = record(admin, "test.outside", "thing", 1)
    assert event.request_id is None
