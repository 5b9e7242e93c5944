from flask import Blueprint

from marketplace import create_app
from tests.helpers import assert_problem


def test_malformed_json_is_400_with_contract_body(api):
    resp = api.client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert_problem(resp, 400)


def test_unknown_field_is_422_naming_it(api):
    resp = api.post("/auth/token", json={"email": "a@b.cn", "password": "x", "evil": 1})
    assert_problem(resp, 422, field="evil")


def test_wrong_type_is_422_naming_field(api):
    resp = api.post("/auth/token", json={"email": 12, "password": "x"})
    assert_problem(resp, 422, field="email")


def test_unrouted_path_is_404_contract(api):
    assert_problem(api.get("/nothing-here"), 404)


def test_wrong_method_is_405_with_allow(api):
    resp = api.client.delete("/healthz")
    assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_domain_error_carries_current_state(api, make_org, make_user):
    admin = make_user("admin")
    org = make_org(status="verified")
    body = assert_problem(api.post(f"/organizations/{org.id}/verify", admin), 409)
    assert body["current_state"] == "verified"


def test_unhandled_exception_is_generic_500_and_hides_message(caplog):
    secret = "1101011990" + "03074514"
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def explode():
        raise RuntimeError(f"secret {secret} inside")

    app.register_blueprint(boom)
    resp = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    body = assert_problem(resp, 500)
    assert secret not in resp.get_data(as_text=True)
    assert "detail" in body
    logged = caplog.text
    assert "req-500" in logged and "unhandled_exception" in logged
    assert secret not in logged


def test_body_over_max_content_length_is_413(api):
    resp = api.client.post("/api/v1/auth/token", data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert_problem(resp, 413)
