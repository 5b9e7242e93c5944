"""Factory fixtures for households (owned by that domain).

* ``make_household(village_code=None, members=3, status="registered_poor", head_name=None, id_number=None,
  baseline_income_per_capita_fen=None, **fields)``: a household with a valid synthetic ID number
  (unique per call) in ``DEFAULT_VILLAGE`` unless told; the plain name and ID number are kept on
  the returned object as ``plain_head_name`` / ``plain_id_number`` for assertions.
* ``household_cipher``: the app's cipher, with a valid key guaranteed (request it in API tests that
  create households over HTTP).
* ``make_member(org, household, shares=10)``: a membership (shares in the supplier).
* ``make_supply_record(org, household, product, quantity=100, amount_paid_fen=10000, supplied_on=None,
  unit="kg")``: a supply record, dated today unless told.
"""
import itertools
from datetime import date, timedelta

import pytest

from marketplace.households.crypto import IdNumberCipher
from marketplace.households.id_numbers import id_check_char
from marketplace.households.models import Membership, SupplyRecord
from marketplace.households.protection import cipher
from marketplace.households.services import new_household
from tests.factories import DEFAULT_VILLAGE

_seq = itertools.count(1)
#: A valid Fernet key, used only while config.py's development key is not one (see household_cipher).
TEST_HOUSEHOLD_KEY = "mpvz1nJT18Ulrlz9N9pD1Y0OCnNeiMZ92j9KiewDRE0="
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ("秀英", "建国", "桂兰", "德明", "玉珍", "志强", "春梅", "永福", "红", "伟")


def synthetic_id_number(n, county=DEFAULT_VILLAGE[:6]):
    """A valid GB 11643 number, distinct for every n (birth date and sequence vary)."""
    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    body = f"{county}{born:%Y%m%d}{(n // 20000) % 1000:03d}"
    return body + id_check_char(body)


def synthetic_name(n):
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


@pytest.fixture
def household_cipher(app):
    """Make sure the app's HOUSEHOLD_ID_KEY builds a cipher (config.py's dev key is 38 bytes, not 32:
    until it is replaced, tests run under TEST_HOUSEHOLD_KEY). Returns the app's cipher."""
    try:
        IdNumberCipher.from_config(app.config["HOUSEHOLD_ID_KEY"])
    except ValueError:
        app.config["HOUSEHOLD_ID_KEY"] = TEST_HOUSEHOLD_KEY
    app.extensions.pop("household_cipher", None)
    with app.app_context():
        return cipher()


@pytest.fixture
def make_household(db, make_region, household_cipher):
    def make(village_code=None, members=3, status="registered_poor", head_name=None, id_number=None,
             baseline_income_per_capita_fen=None, **fields):
        n = next(_seq)
        village_code = village_code or DEFAULT_VILLAGE
        make_region(village_code)
        head_name = head_name or synthetic_name(n)
        id_number = id_number or synthetic_id_number(n, village_code[:6])
        fields.setdefault("registry_no", f"JD{n:08d}")
        if status == "lifted":
            fields.setdefault("lifted_year", 2020)
        household = new_household(village_code=village_code, head_name=head_name, id_number=id_number,
                                  members=members, status=status,
                                  baseline_income_per_capita_fen=baseline_income_per_capita_fen, **fields)
        db.session.commit()
        household.plain_head_name = head_name
        household.plain_id_number = id_number
        return household
    return make


@pytest.fixture
def make_member(db):
    def make(org, household, shares=10):
        membership = Membership(organization_id=org.id, household_id=household.id, shares=shares)
        db.session.add(membership)
        db.session.commit()
        return membership
    return make


@pytest.fixture
def make_supply_record(db):
    def make(org, household, product, quantity=100, amount_paid_fen=10000, supplied_on=None, unit="kg"):
        supply = SupplyRecord(organization_id=org.id, household_id=household.id, product_id=product.id,
                              quantity=quantity, unit=unit, amount_paid_fen=amount_paid_fen,
                              supplied_on=supplied_on or date.today())
        db.session.add(supply)
        db.session.commit()
        return supply
    return make
