"""Real concurrent HTTP requests against a live server (threads), on SQLite (file) and PostgreSQL.

The app's after_request hook commits once per request, so every request here is its own
transaction on its own connection; fixtures commit their data before the server starts.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from marketplace.catalog.models import Sku
from marketplace.orders.models import Fulfilment, Order
from marketplace.organizations.models import Organization
from tests.factories_orders import order_payload


@pytest.fixture
def live(app, db):
    """Base URL of the app served by a threaded werkzeug server on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    thread.join(timeout=10)


def _release(db):
    """The test's own session must hold no transaction (SQLite: no write lock) while racing."""
    db.session.commit()
    db.session.remove()


def race(calls):
    """Run the callables at once (a barrier lines them up); returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def post(url, token, json=None, headers=None):
    def call():
        resp = requests.post(url, json=json, headers={"Authorization": f"Bearer {token}", **(headers or {})},
                             timeout=60)
        return resp.status_code, resp.json()
    return call


def test_place_order_last_units_race_exactly_five_win(live, db, make_buyer, make_sku, token_for):
    # given 5 units left and 30 buyers (from 3 organizations) each wanting 1
    sku_id = make_sku(stock=5).id
    tokens = [token_for(make_buyer()) for _ in range(3)]
    _release(db)
    # when
    results = race([post(f"{live}/orders", tokens[i % 3], order_payload([(sku_id, 1)])) for i in range(30)])
    # then
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [409] * 25, statuses
    for status, body in results:
        if status == 409:
            assert body["shortages"][0]["sku_id"] == sku_id
    assert db.session.get(Sku, sku_id).stock == 0
    assert db.session.scalar(select(func.count()).select_from(Order)) == 5
    numbers = {body["number"] for status, body in results if status == 201}
    assert len(numbers) == 5


def test_place_order_opposite_line_order_no_deadlock(live, db, make_buyer, make_sku, token_for):
    # given two SKUs of different products and two buyers ordering them in opposite line order
    a, b = make_sku(stock=1000).id, make_sku(stock=1000).id
    t1, t2 = token_for(make_buyer()), token_for(make_buyer())
    _release(db)
    statuses = []
    # when 50 rounds race
    for _ in range(50):
        results = race([post(f"{live}/orders", t1, order_payload([(a, 2), (b, 3)])),
                        post(f"{live}/orders", t2, order_payload([(b, 3), (a, 2)]))])
        statuses.extend(status for status, _ in results)
    # then no deadlock, no 5xx, stock exact
    assert statuses == [201] * 100, sorted(set(statuses))
    assert db.session.get(Sku, a).stock == 1000 - 200
    assert db.session.get(Sku, b).stock == 1000 - 300


def test_place_order_same_key_concurrently_one_order(live, db, make_buyer, make_sku, token_for):
    sku_id = make_sku(stock=100).id
    token = token_for(make_buyer())
    _release(db)
    payload = order_payload([(sku_id, 3)])
    results = race([post(f"{live}/orders", token, payload, {"Idempotency-Key": "same-key"}) for _ in range(10)])
    assert [status for status, _ in results] == [201] * 10, results
    assert len({body["id"] for _, body in results}) == 1
    assert len({repr(body) for _, body in results}) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert db.session.get(Sku, sku_id).stock == 97


def test_cancel_vs_ship_race_exactly_one_wins(live, db, make_order, make_buyer, make_sku, make_user, token_for):
    # given 10 orders with a confirmed fulfilment
    buyer = make_buyer()
    sku = make_sku(stock=100)
    orders = [make_order(buyer=buyer, lines=[(sku, 1)], status="confirmed") for _ in range(10)]
    manager = make_user("supplier_manager", org=db.session.get(Organization, orders[0].fulfilments[0].supplier_id))
    buyer_token, manager_token = token_for(buyer), token_for(manager)
    pairs = [(o.id, o.fulfilments[0].id) for o in orders]
    sku_id = sku.id
    _release(db)
    for order_id, fulfilment_id in pairs:
        # when cancel and ship race
        (cancel_status, _), (ship_status, _) = race([
            post(f"{live}/orders/{order_id}/cancel", buyer_token, {"reason": "race"}),
            post(f"{live}/fulfilments/{fulfilment_id}/ship", manager_token, {"carrier": "EMS", "tracking_no": "1"})])
        # then exactly one wins and the state agrees with it
        assert sorted([cancel_status, ship_status]) == [200, 409]
        db.session.expire_all()
        order, fulfilment = db.session.get(Order, order_id), db.session.get(Fulfilment, fulfilment_id)
        if cancel_status == 200:
            assert (order.status, fulfilment.status) == ("cancelled", "cancelled")
        else:
            assert (order.status, fulfilment.status) == ("placed", "shipped")
        db.session.rollback()
    cancelled = db.session.scalar(select(func.count()).select_from(Order).where(Order.status == "cancelled"))
    assert db.session.get(Sku, sku_id).stock == 90 + cancelled


def test_concurrent_cancels_restore_stock_once(live, db, make_order, make_buyer, make_sku, make_user, token_for):
    buyer = make_buyer()
    admin = make_user("admin")
    sku = make_sku(stock=50)
    order_ids = [make_order(buyer=buyer, lines=[(sku, 5)]).id for _ in range(5)]
    tokens = [token_for(buyer), token_for(admin)]
    sku_id = sku.id
    _release(db)
    for order_id in order_ids:
        results = race([post(f"{live}/orders/{order_id}/cancel", tokens[i % 2], {"reason": f"r{i}"})
                        for i in range(4)])
        assert sorted(status for status, _ in results) == [200, 409, 409, 409], results
        assert all(body["current_state"] == "cancelled" for status, body in results if status == 409)
    assert db.session.get(Sku, sku_id).stock == 50
