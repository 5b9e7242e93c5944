"""Household services the ledger imports, encryption at rest, and the factories."""
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from marketplace.catalog.models import Product
from marketplace.households import protection, services
from marketplace.households.models import Household


@pytest.fixture
def product_of(db):
    def make(org, name="黑木耳"):
        product = Product(supplier_id=org.id, name=name, category="fungi", origin_region_code=org.region_code,
                          status="active")
        db.session.add(product)
        db.session.commit()
        return product
    return make


def test_make_household_stores_id_number_and_name_encrypted(db, make_household):
    household = make_household(head_name="张小三")
    # when: the raw columns are read straight from the database
    row = db.session.execute(text("SELECT * FROM households WHERE id = :id"), {"id": household.id}).mappings().one()
    raw = " ".join(str(v) for v in row.values())
    # then
    assert household.plain_id_number not in raw
    assert "张小三" not in raw
    assert row["id_number_masked"] == household.plain_id_number[:4] + "*" * 10 + household.plain_id_number[-4:]
    assert row["head_name_masked"] == "张*三"
    assert len(row["id_number_hash"]) == 64
    assert protection.id_number(household) == household.plain_id_number
    assert protection.head_name(household) == "张小三"


def test_find_by_id_number_uses_hash_and_normalises(db, make_household):
    household = make_household(id_number="11010519491231002X")
    assert protection.find_by_id_number("11010519491231002x ").id == household.id
    assert protection.find_by_id_number("110105194912310010") is None


def test_make_household_ids_are_unique_and_valid(db, make_household):
    from marketplace.households.id_numbers import validate_id_number

    ids = {make_household().plain_id_number for _ in range(5)}
    assert len(ids) == 5 and all(validate_id_number(i) for i in ids)


def test_cipher_is_built_once_per_app(app, household_cipher):
    with app.app_context():
        assert protection.cipher() is protection.cipher()
        assert app.extensions["household_cipher"] is protection.cipher()


def test_supply_weights_sums_window_per_household(db, make_org, make_household, make_supply_record, product_of):
    # given
    org, other = make_org(), make_org()
    product, other_product = product_of(org), product_of(org, "茶")
    h1, h2, h3 = make_household(), make_household(), make_household()
    today = date.today()
    make_supply_record(org, h2, product, quantity=5, supplied_on=today)
    make_supply_record(org, h1, product, quantity=7, supplied_on=today - timedelta(days=10))
    make_supply_record(org, h1, product, quantity=3, supplied_on=today - timedelta(days=30))  # window start
    make_supply_record(org, h1, product, quantity=100, supplied_on=today - timedelta(days=31))  # before
    make_supply_record(org, h3, other_product, quantity=50, supplied_on=today)
    other_product_row = product_of(other)
    make_supply_record(other, h3, other_product_row, quantity=50, supplied_on=today)
    # when
    weights = services.supply_weights(product_id=product.id, supplier_id=org.id,
                                      since=today - timedelta(days=30), until=today)
    # then
    assert weights == [(h1.id, 10), (h2.id, 5)]
    assert services.supply_weights(product_id=product.id, supplier_id=other.id, since=today, until=today) == []


def test_share_weights_lists_members_by_household(db, make_org, make_household, make_member):
    org, other = make_org(), make_org()
    h1, h2 = make_household(), make_household()
    make_member(org, h2, shares=30)
    make_member(org, h1, shares=10)
    make_member(other, h1, shares=99)
    assert services.share_weights(supplier_id=org.id) == [(h1.id, 10), (h2.id, 30)]
    assert services.share_weights(supplier_id=make_org().id) == []


def test_masked_household_has_no_plain_personal_data(db, make_household):
    household = make_household(head_name="欧阳小明", members=4)
    masked = services.masked_household(household)
    assert masked == {"id": household.id, "village_code": household.village_code, "head_name": "欧**明",
                      "id_number": household.id_number_masked, "members": 4}
    assert household.plain_id_number not in str(masked)


def test_rotate_reencrypts_and_rehashes(app, db, make_household):
    from marketplace.households.crypto import IdNumberCipher

    household = make_household()
    old_hash = household.id_number_hash
    new_key = "q4Z9m2pQ7sT1vW5xY8zA3bC6dE0fG2hJ4kL7mN9pR1s="
    app.extensions["household_cipher"] = IdNumberCipher.from_config(f"{new_key},{app.config['HOUSEHOLD_ID_KEY']}")
    # before rotation the row is still found through the old key's hash
    assert protection.find_by_id_number(household.plain_id_number).id == household.id
    protection.rotate(household)
    db.session.commit()
    assert household.id_number_hash != old_hash
    app.extensions["household_cipher"] = IdNumberCipher.from_config(new_key)
    assert protection.id_number(household) == household.plain_id_number
    assert db.session.get(Household, household.id).head_name_masked == household.head_name_masked
