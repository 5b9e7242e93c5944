"""expected_unit_price_fen: the price the buyer saw; a changed price refuses the order (409 price_changed)."""
from sqlalchemy import func, select

from marketplace.catalog.models import Sku
from marketplace.orders.models import Order
from tests.factories_orders import order_payload
from tests.helpers import assert_problem


def test_place_order_with_a_changed_price_gives_409_price_changed_with_the_current_price(api, db, make_buyer,
                                                                                        make_sku):
    # given: the buyer saw 100 fen, the price is now 100x
    sku, other = make_sku(price_fen=10000), make_sku(price_fen=500)
    stock = sku.stock
    payload = order_payload([(other, 1), (sku, 2)])
    payload["lines"][0]["expected_unit_price_fen"] = 500
    payload["lines"][1]["expected_unit_price_fen"] = 100
    # when
    body = assert_problem(api.post("/orders", make_buyer(), json=payload), 409)
    # then: the line and its current price named, nothing placed or taken
    assert body["code"] == "price_changed"
    assert body["lines"] == [{"line": 1, "sku_id": sku.id, "expected_unit_price_fen": 100, "unit_price_fen": 10000}]
    assert db.session.scalar(select(func.count(Order.id))) == 0
    db.session.expire_all()
    assert db.session.get(Sku, sku.id).stock == stock


def test_place_order_with_the_expected_price_goes_through(api, make_buyer, make_sku):
    sku = make_sku(price_fen=700)
    payload = order_payload([(sku, 1)])
    payload["lines"][0]["expected_unit_price_fen"] = 700
    resp = api.post("/orders", make_buyer(), json=payload)
    assert resp.status_code == 201, resp.get_json()
