"""Idempotency-Key on POST /orders (sequential cases; the concurrent one is in the race tests)."""
from sqlalchemy import func, select

from marketplace.catalog.models import Sku
from marketplace.orders.models import IdempotencyKey, Order
from tests.factories_orders import order_payload
from tests.helpers import assert_problem


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_same_key_same_body_replays_first_response(api, db, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku(stock=10)
    payload = order_payload([(sku, 2)])
    first = api.post("/orders", buyer, json=payload, headers={"Idempotency-Key": "k-1"})
    second = api.post("/orders", buyer, json=payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    db.session.expire_all()
    assert _count(db, Order) == 1
    assert db.session.get(Sku, sku.id).stock == 8


def test_same_key_reordered_json_keys_is_same_body(api, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku()
    payload = order_payload([(sku, 1)])
    reordered = {k: payload[k] for k in reversed(list(payload))}
    a = api.post("/orders", buyer, json=payload, headers={"Idempotency-Key": "k"}).get_json()
    b = api.post("/orders", buyer, json=reordered, headers={"Idempotency-Key": "k"}).get_json()
    assert a["id"] == b["id"]


def test_same_key_different_body_422_names_header(api, db, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku()
    api.post("/orders", buyer, json=order_payload([(sku, 1)]), headers={"Idempotency-Key": "k-2"})
    resp = api.post("/orders", buyer, json=order_payload([(sku, 2)]), headers={"Idempotency-Key": "k-2"})
    assert_problem(resp, 422, field="Idempotency-Key")
    assert _count(db, Order) == 1


def test_key_is_scoped_per_organization(api, db, make_buyer, make_user, make_sku):
    sku = make_sku()
    buyer_a, buyer_b = make_buyer(), make_buyer()
    colleague = make_user(role="buyer_purchaser", org=buyer_a.organization)
    payload = order_payload([(sku, 1)])
    a = api.post("/orders", buyer_a, json=payload, headers={"Idempotency-Key": "shared"}).get_json()
    b = api.post("/orders", buyer_b, json=payload, headers={"Idempotency-Key": "shared"}).get_json()
    c = api.post("/orders", colleague, json=payload, headers={"Idempotency-Key": "shared"}).get_json()
    assert a["id"] != b["id"]
    assert c["id"] == a["id"]  # same organization: the first response again


def test_failed_request_does_not_store_key(api, db, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku(stock=1)
    payload = order_payload([(sku, 2)])
    assert_problem(api.post("/orders", buyer, json=payload, headers={"Idempotency-Key": "k-3"}), 409)
    assert _count(db, IdempotencyKey) == 0
    db.session.get(Sku, sku.id).stock = 5
    db.session.commit()
    assert api.post("/orders", buyer, json=payload, headers={"Idempotency-Key": "k-3"}).status_code == 201


def test_overlong_key_422(api, make_buyer, make_sku):
    resp = api.post("/orders", make_buyer(), json=order_payload([(make_sku(), 1)]),
                    headers={"Idempotency-Key": "x" * 201})
    assert_problem(resp, 422, field="Idempotency-Key")


def test_no_key_places_twice(api, db, make_buyer, make_sku):
    buyer, sku = make_buyer(), make_sku()
    payload = order_payload([(sku, 1)])
    api.post("/orders", buyer, json=payload)
    api.post("/orders", buyer, json=payload)
    assert _count(db, Order) == 2
