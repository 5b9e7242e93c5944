import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from marketplace import create_app
from marketplace.audit.models import AuditEvent
from marketplace.audit.services import record
from tests.helpers import assert_problem


def test_healthz_answers_ok(api):
    resp = api.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_readyz_with_database_up_is_200(api):
    assert api.get("/readyz").status_code == 200


def test_readyz_with_database_down_is_503(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}}})
    resp = app.test_client().get("/readyz")
    assert_problem(resp, 503)


def test_openapi_lists_every_api_route(api, app):
    spec = api.get("/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = path.replace("{int:", "{").replace("{string:", "{").replace("{path:", "{")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path[len("/api/v1"):] if path[len("/api/v1"):] in spec["paths"] else path, method) in documented


def test_docs_ui_is_served(api):
    assert api.get("/docs").status_code == 200


def test_request_id_is_echoed_or_generated(api):
    assert api.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = api.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert api.get("/healthz", headers={"X-Request-ID": "bad id;x"}).headers["X-Request-ID"] != "bad id;x"


def test_security_headers_present(api):
    resp = api.get("/healthz")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Werkzeug" not in resp.headers.get("Server", "")


def test_production_config_refuses_to_start_without_secrets(monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "HOUSEHOLD_ID_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_audit_rows_cannot_be_updated_or_deleted(db, make_user):
    # given
    admin = make_user("admin")
    event = record(admin, "test.action", "thing", 1, after={"x": 1})
    db.session.commit()
    # when / then
    for stmt in (f"UPDATE audit_events SET action = 'changed' WHERE id = {event.id}",
                 f"DELETE FROM audit_events WHERE id = {event.id}"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(stmt))
            db.session.flush()
        db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "test.action"
