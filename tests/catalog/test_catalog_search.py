"""GET /products: only orderable, Chinese search, filters, sorting, paging, no N+1."""
import pytest
from sqlalchemy import event

from tests.helpers import assert_problem


def names(resp):
    assert resp.status_code == 200, resp.get_json()
    return [p["name"] for p in resp.get_json()["items"]]


def test_list_only_orderable(api, make_product, make_org):
    make_product(name="上架")
    make_product(name="草稿", status="draft")
    make_product(name="未认定", certified=False)
    make_product(name="停用供应商", supplier=make_org(status="suspended"))
    body = api.get("/products").get_json()
    assert [p["name"] for p in body["items"]] == ["上架"]
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 20


@pytest.mark.parametrize("q,expected", [
    ("木耳", {"黑木耳", "白木耳干货"}), ("茶", {"富硒茶", "苦荞"}), ("黑", {"黑木耳"}),
    ("100%", {"100%纯蜂蜜"}), ("%", {"100%纯蜂蜜"}), ("_", {"a_b"}), ("TEA", {"Green tea"}), ("不存在", set()),
])
def test_search_chinese_substring_and_literal_wildcards(api, make_product, q, expected):
    make_product(name="黑木耳", category="fungi")
    make_product(name="白木耳干货", category="fungi")
    make_product(name="富硒茶")
    make_product(name="苦荞", description="可以泡茶喝")
    make_product(name="100%纯蜂蜜", category="honey")
    make_product(name="1000纯蜂蜜", category="honey")
    make_product(name="a_b")
    make_product(name="axb")
    make_product(name="Green tea")
    assert set(names(api.get("/products", query_string={"q": q}))) == expected


def test_search_q_too_long(api):
    assert_problem(api.get("/products", query_string={"q": "茶" * 51}), 422, "q")


def test_filters(api, make_product, make_sku, make_org, make_region):
    make_region("511702101001")
    other_supplier = make_org()
    tea = make_product(name="茶", category="tea")
    make_sku(product=tea, price_fen=5000, stock=0)
    rice = make_product(name="米", category="rice", supplier=other_supplier, origin_region_code="511702101001")
    make_sku(product=rice, price_fen=1500, stock=10)
    make_product(name="无规格", category="rice")
    assert names(api.get("/products?category=rice&sort=price")) == ["米", "无规格"]
    assert names(api.get("/products?region=511702")) == ["米"]
    assert set(names(api.get("/products?region=5117"))) == {"茶", "米", "无规格"}
    assert names(api.get(f"/products?supplier_id={other_supplier.id}")) == ["米"]
    assert names(api.get("/products?min_price_fen=2000")) == ["茶"]
    assert names(api.get("/products?max_price_fen=2000")) == ["米"]
    assert names(api.get("/products?min_price_fen=1000&max_price_fen=6000&sort=price")) == ["米", "茶"]
    assert names(api.get("/products?in_stock=true")) == ["米"]
    assert set(names(api.get("/products?in_stock=false"))) == {"茶", "无规格"}


def test_price_filter_ignores_inactive_skus(api, make_product, make_sku, db):
    product = make_product(name="茶")
    sku = make_sku(product=product, price_fen=100)
    sku.is_active = False
    db.session.commit()
    assert names(api.get("/products?max_price_fen=500")) == []


@pytest.mark.parametrize("query,field", [
    ("min_price_fen=-1", "min_price_fen"), ("max_price_fen=abc", "max_price_fen"),
    ("min_price_fen=10&max_price_fen=5", "max_price_fen"), ("sort=cheapest", "sort"), ("category=gold", "category"),
    ("region=abc", "region"), ("page_size=101", "page_size"), ("page=0", "page"),
    (f"max_price_fen={10**30}", "max_price_fen"),
])
def test_list_query_validation(api, query, field):
    assert_problem(api.get(f"/products?{query}"), 422, field)


def test_sorting(api, db, make_product, make_sku):
    a = make_product(name="A")
    make_sku(product=a, price_fen=300)
    make_sku(product=a, price_fen=100)
    b = make_product(name="B")
    make_sku(product=b, price_fen=200)
    c = make_product(name="C")
    a.sales_count, b.sales_count, c.sales_count = 5, 50, 1
    db.session.commit()
    assert names(api.get("/products?sort=price")) == ["A", "B", "C"]
    assert names(api.get("/products?sort=-price")) == ["B", "A", "C"]
    assert names(api.get("/products?sort=sales")) == ["B", "A", "C"]
    assert names(api.get("/products?sort=newest")) == ["C", "B", "A"]
    assert api.get("/products?sort=price").get_json()["items"][0]["min_price_fen"] == 100


def test_pagination(api, make_product):
    for i in range(5):
        make_product(name=f"P{i}")
    body = api.get("/products?page=2&page_size=2&sort=newest").get_json()
    assert [p["name"] for p in body["items"]] == ["P2", "P1"] and body["total"] == 5
    assert api.get("/products?page=9&page_size=2").get_json()["items"] == []


@pytest.fixture
def count_statements(db):
    def run(fn):
        statements = []

        def listener(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements
    return run


def test_list_statement_count_does_not_grow(api, make_product, make_sku, make_org, make_user, count_statements):
    buyer = make_user(role="buyer_purchaser", org=make_org(kind="canteen"))
    api.get("/products", buyer)  # the token is issued and cached outside the measurement

    def add(n):
        for _ in range(n):
            product = make_product(supplier=make_org())
            make_sku(product=product)
            make_sku(product=product)

    add(2)
    small = count_statements(lambda: api.get("/products?page_size=100", buyer))
    add(20)
    large = count_statements(lambda: api.get("/products?page_size=100", buyer))
    assert len(api.get("/products?page_size=100").get_json()["items"]) == 22
    assert len(large) == len(small), large
    product_queries = [s for s in large if "products" in s.lower()]
    assert len(product_queries) <= 3, product_queries


def test_include_unorderable_for_owner_and_admin(api, make_product, make_user, make_org):
    mine = make_product(name="我的草稿", status="draft", certified=False)
    make_product(name="别人的草稿", status="draft")
    owner = make_user(role="supplier_manager", org=mine.supplier)
    assert names(api.get("/products?include_unorderable=true", owner)) == ["我的草稿"]
    assert set(names(api.get("/products?include_unorderable=true&status=draft", make_user(role="admin")))) == {
        "我的草稿", "别人的草稿"}
    assert names(api.get("/products?include_unorderable=true", make_user(role="admin", region_scope="52"))) == []
    assert_problem(api.get("/products?include_unorderable=true"), 403)
    buyer = make_user(role="buyer_purchaser", org=make_org(kind="canteen"))
    assert_problem(api.get("/products?include_unorderable=true", buyer), 403)
