"""HTTP conventions of the contract: Location on 201, gzip, problem+json with a Bearer challenge."""
import gzip

from tests.factories import DEFAULT_VILLAGE
from tests.factories_orders import order_payload


def test_created_order_says_where_it_is_and_a_replay_does_too(api, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku()
    # when
    first = api.post("/orders", buyer, json=order_payload([(sku, 1)]), headers={"Idempotency-Key": "k-loc"})
    replay = api.post("/orders", buyer, json=order_payload([(sku, 1)]), headers={"Idempotency-Key": "k-loc"})
    # then
    assert first.status_code == 201
    location = first.headers["Location"]
    assert location.endswith(f"/api/v1/orders/{first.get_json()['id']}")
    assert replay.headers["Location"] == location
    assert api.get(location.split("/api/v1", 1)[1], buyer).get_json()["id"] == first.get_json()["id"]


def test_created_household_has_a_location(api, make_user, make_region):
    make_region(DEFAULT_VILLAGE)
    body = {"village_code": DEFAULT_VILLAGE, "head_name": "李四", "id_number": "11010519491231002X",
            "registry_no": "A1", "members": 1, "status": "edge"}
    resp = api.post("/households", make_user(role="admin"), json=body)
    assert resp.status_code == 201, resp.get_json()
    assert resp.headers["Location"].endswith(f"/api/v1/households/{resp.get_json()['id']}")


def test_json_is_gzipped_when_asked(client):
    resp = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.get_data())[:1] == b"{"
    assert "Accept-Encoding" in resp.headers["Vary"]


def test_unauthenticated_is_problem_json_with_a_bearer_challenge(client):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert {"status", "title", "detail"} <= set(resp.get_json())
