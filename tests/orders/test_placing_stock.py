"""place_order's stock promises at the service level: SKUs locked in ascending id order whatever the
line order, and on a shortage what was already taken is given back (in the same transaction)."""
import pytest
from sqlalchemy import event, select

from marketplace.catalog.models import Product, Sku
from marketplace.orders.errors import InsufficientStock
from marketplace.orders.models import Order
from marketplace.orders.schemas import OrderCreateSchema
from marketplace.orders.services import place_order
from tests.factories_orders import order_payload


def _updates_of(db, table):
    """The row ids of every ``UPDATE <table>`` statement, in the order they reach the database."""
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"UPDATE {table.upper()} "):
            # "UPDATE t SET c=(t.c -/+ ?) WHERE t.id = ? ...": the id is bound second
            seen.append(parameters["id_1"] if isinstance(parameters, dict) else parameters[1])

    event.listen(db.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def stock_updates(db):
    seen, stop = _updates_of(db, "skus")
    yield seen
    stop()


@pytest.fixture
def sales_updates(db):
    seen, stop = _updates_of(db, "products")
    yield seen
    stop()


def _place(buyer, lines):
    return place_order(buyer=buyer, data=OrderCreateSchema().load(order_payload(lines)))


def test_stock_updates_run_in_ascending_sku_id_order_whatever_the_line_order(db, make_buyer, make_sku,
                                                                            stock_updates, sales_updates):
    # given: four SKUs, ordered highest id first and one in the middle
    skus = [make_sku(stock=10) for _ in range(4)]
    lines = [(skus[3], 1), (skus[1], 2), (skus[0], 1), (skus[2], 3)]
    # when
    _place(make_buyer(), lines)
    # then: the stock UPDATEs went out lowest id first, then the products' sales counts, lowest id first
    assert stock_updates == sorted(sku.id for sku in skus)
    assert sales_updates == sorted(sku.product_id for sku in skus)
    db.session.commit()
    assert [db.session.get(Sku, s.id).stock for s in skus] == [9, 8, 7, 9]


def test_shortage_on_a_later_sku_gives_back_what_was_taken_from_earlier_ones(db, make_buyer, make_sku,
                                                                            stock_updates):
    # given: the first two SKUs (by id) have stock, the last one is short by 1
    first, second, short = make_sku(stock=10), make_sku(stock=5), make_sku(stock=2)
    products = {sku.id: sku.product_id for sku in (first, second, short)}
    sales_before = {pid: db.session.get(Product, pid).sales_count for pid in products.values()}
    buyer = make_buyer()
    # when
    with pytest.raises(InsufficientStock) as raised:
        _place(buyer, [(short, 3), (first, 4), (second, 5)])
    # then: inside the same transaction (before any rollback) the earlier SKUs hold their stock again
    db.session.expire_all()
    stock = dict(db.session.execute(select(Sku.id, Sku.stock).where(Sku.id.in_(products))).all())
    assert stock == {first.id: 10, second.id: 5, short.id: 2}
    assert {pid: db.session.get(Product, pid).sales_count for pid in products.values()} == sales_before
    assert db.session.scalar(select(Order.id)) is None
    assert raised.value.extra["shortages"] == [{"sku_id": short.id, "requested": 3, "available": 2}]
    assert raised.value.errors == {"lines.0.quantity": ["only 2 in stock"]}
    # taken (first, second), refused (short), given back (first, second): ascending each time
    assert stock_updates == [first.id, second.id, short.id, first.id, second.id]


def test_every_short_line_is_named_in_line_order(db, make_buyer, make_sku):
    # given: two short SKUs, the higher id on line 0
    low, high = make_sku(stock=1), make_sku(stock=2)
    # when
    with pytest.raises(InsufficientStock) as raised:
        _place(make_buyer(), [(high, 3), (low, 4)])
    # then: shortages follow the lines, not the (ascending id) locking order
    assert raised.value.extra["shortages"] == [{"sku_id": high.id, "requested": 3, "available": 2},
                                               {"sku_id": low.id, "requested": 4, "available": 1}]
    assert (raised.value.extra["sku_id"], raised.value.extra["available"]) == (high.id, 2)


def test_ordering_exactly_the_stock_left_succeeds_one_more_is_short(db, make_buyer, make_sku):
    sku = make_sku(stock=4)
    buyer = make_buyer()
    with pytest.raises(InsufficientStock):
        _place(buyer, [(sku, 5)])
    db.session.rollback()
    _place(buyer, [(sku, 4)])
    db.session.commit()
    assert db.session.get(Sku, sku.id).stock == 0
