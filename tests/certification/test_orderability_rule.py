"""The orderability rule on every edge, evaluated at query time."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.certification.services import is_orderable, orderable_clause
from marketplace.core.clock import today_local

TODAY = date(2025, 6, 15)
NOON = datetime(2025, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def orderable_ids(db, today=None):
    return set(db.session.scalars(select(Product.id).where(orderable_clause(today))))


def test_default_factory_product_is_orderable(db, make_product):
    product = make_product()
    assert orderable_ids(db) == {product.id}
    assert is_orderable(product)
    assert is_orderable(product.id)


@pytest.mark.parametrize("org_status", ["pending", "suspended"])
def test_unverified_supplier_not_orderable(db, make_org, make_product, org_status):
    product = make_product(supplier=make_org(status=org_status))
    assert orderable_ids(db) == set()
    assert not is_orderable(product)


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_inactive_product_not_orderable(db, make_product, status):
    make_product(status=status)
    assert orderable_ids(db) == set()


def test_uncertified_product_not_orderable(db, make_product):
    make_product(certified=False)
    assert orderable_ids(db) == set()


@pytest.mark.parametrize("status", ["submitted", "rejected", "revoked"])
def test_non_approved_certification_not_orderable(db, make_product, make_certification, status):
    product = make_product(certified=False)
    make_certification(product, status=status)
    assert orderable_ids(db) == set()


@pytest.mark.parametrize("valid_until,orderable", [
    (TODAY - timedelta(days=1), False),   # expired yesterday
    (TODAY, True),                        # last valid day is today
    (TODAY + timedelta(days=1), True),    # expires tomorrow
])
def test_expiry_boundary(db, make_product, make_certification, valid_until, orderable):
    product = make_product(certified=False)
    make_certification(product, valid_from=TODAY - timedelta(days=100), valid_until=valid_until)
    with time_machine.travel(NOON, tick=False):
        assert today_local() == TODAY
        assert is_orderable(product) is orderable


@pytest.mark.parametrize("valid_from,orderable", [
    (TODAY, True), (TODAY + timedelta(days=1), False),
])
def test_not_yet_valid_boundary(db, make_product, make_certification, valid_from, orderable):
    product = make_product(certified=False)
    make_certification(product, valid_from=valid_from, valid_until=TODAY + timedelta(days=30))
    with time_machine.travel(NOON, tick=False):
        assert is_orderable(product) is orderable


def test_expires_the_day_after_without_any_job(db, make_product, make_certification):
    product = make_product(certified=False)
    make_certification(product, valid_from=TODAY - timedelta(days=10), valid_until=TODAY)
    with time_machine.travel(datetime(2025, 6, 15, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert is_orderable(product)
    with time_machine.travel(datetime(2025, 6, 16, 0, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert not is_orderable(product)


def test_today_is_shanghai_date_not_utc(db):
    # 2025-06-15 17:00 UTC is already 2025-06-16 in Beijing.
    with time_machine.travel(datetime(2025, 6, 15, 17, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        assert today_local() == date(2025, 6, 16)


def test_recertified_before_expiry_has_no_gap(db, make_product, make_certification):
    product = make_product(certified=False)
    make_certification(product, valid_from=TODAY - timedelta(days=300), valid_until=TODAY)
    make_certification(product, valid_from=TODAY - timedelta(days=5), valid_until=TODAY + timedelta(days=365))
    for day in (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=365)):
        assert is_orderable(product, day), day
    assert not is_orderable(product, TODAY + timedelta(days=366))


def test_revoked_while_another_is_valid_stays_orderable(db, make_product, make_certification):
    product = make_product(certified=False)
    make_certification(product, status="revoked")
    make_certification(product)
    assert is_orderable(product)
