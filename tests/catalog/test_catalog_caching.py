"""The public catalog is cacheable for anonymous callers: weak ETag, public max-age, 304."""


def test_anonymous_product_list_is_public_with_a_weak_etag_and_304(api, make_sku):
    make_sku()
    # when
    first = api.get("/products")
    # then
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["ETag"].startswith('W/"')
    again = api.get("/products", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_product_detail_etag_changes_with_the_product(api, db, make_sku):
    sku = make_sku()
    etag = api.get(f"/products/{sku.product_id}").headers["ETag"]
    sku.price_fen += 100
    db.session.commit()
    resp = api.get(f"/products/{sku.product_id}", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and resp.headers["ETag"] != etag


def test_signed_in_catalog_is_not_publicly_cached(api, make_user, make_sku):
    make_sku()
    resp = api.get("/products", make_user(role="admin"))
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store" and "ETag" not in resp.headers
