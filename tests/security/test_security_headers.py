"""Security headers of a JSON API: nosniff, no version banner, CORS closed unless configured."""
import pytest

from marketplace import create_app

PATHS = ("/healthz", "/api/v1/categories", "/api/v1/me", "/api/v1/no-such-thing")


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_is_nosniff_without_a_version_banner(client, path):
    resp = client.get(path)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    server = resp.headers.get("Server", "")
    assert server == "marketplace", server
    assert not any(ch.isdigit() for ch in server)
    assert "Werkzeug" not in str(resp.headers) and "Python" not in str(resp.headers)


def test_error_answers_are_json_not_html(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


def test_cors_closed_by_default_for_any_origin(client):
    resp = client.get("/api/v1/categories", headers={"Origin": "https://evil.example"})
    assert resp.status_code == 200
    assert "Access-Control-Allow-Origin" not in resp.headers
    preflight = client.options("/api/v1/orders", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Headers" not in preflight.headers


@pytest.fixture
def cors_client(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cors.db'}",
                      "CORS_ORIGINS": ["https://shop.example.cn"]})
    return app.test_client()


def test_cors_configured_origin_is_answered(cors_client):
    resp = cors_client.get("/api/v1/categories", headers={"Origin": "https://shop.example.cn"})
    assert resp.headers["Access-Control-Allow-Origin"] == "https://shop.example.cn"
    assert "Origin" in resp.headers.get("Vary", "")
    assert "X-Request-ID" in resp.headers["Access-Control-Expose-Headers"]


def test_cors_configured_preflight_is_204_with_methods_and_headers(cors_client):
    resp = cors_client.options("/api/v1/orders", headers={
        "Origin": "https://shop.example.cn", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key"})
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "https://shop.example.cn"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    for header in ("Authorization", "Content-Type", "Idempotency-Key"):
        assert header in resp.headers["Access-Control-Allow-Headers"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_configured_other_origin_still_closed(cors_client):
    resp = cors_client.get("/api/v1/categories", headers={"Origin": "https://shop.example.cn.evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    preflight = cors_client.options("/api/v1/orders", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_preflight_for_unknown_path_is_not_answered(cors_client):
    resp = cors_client.options("/api/v1/no-such-thing", headers={
        "Origin": "https://shop.example.cn", "Access-Control-Request-Method": "GET"})
    assert resp.status_code == 404
