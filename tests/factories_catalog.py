"""Factory fixtures for catalog: products (certified and orderable by default) and SKUs."""
import itertools
from datetime import timedelta

import pytest

from marketplace.catalog.models import Product, Sku
from marketplace.certification.models import Certification
from marketplace.core.clock import today_local

_seq = itertools.count(1)


@pytest.fixture
def make_certification(db):
    """An approved (by default) certification of a product, valid today-30 .. today+365."""
    def make(product, status="approved", valid_from=None, valid_until=None, certificate_no=None):
        n = next(_seq)
        today = today_local()
        approved = status in ("approved", "revoked")
        cert = Certification(
            product_id=product.id, status=status, evidence_urls=["https://example.cn/evidence.pdf"],
            benefit_description="带动建档立卡户增收的说明文字",
            certificate_no=(certificate_no or f"FP-{product.origin_region_code[:6]}-{today.year}-T{n:05d}")
            if approved else None,
            valid_from=(valid_from or today - timedelta(days=30)) if approved else None,
            valid_until=(valid_until or today + timedelta(days=365)) if approved else None,
        )
        db.session.add(cert)
        db.session.commit()
        return cert
    return make


@pytest.fixture
def make_product(db, make_org, make_region, make_certification):
    """A product of a verified cooperative; certified (approved, valid today) and active by default."""
    def make(supplier=None, certified=True, status="active", category="tea", origin_region_code=None,
             name=None, description=""):
        n = next(_seq)
        supplier = supplier or make_org(kind="cooperative")
        origin = origin_region_code or supplier.region_code
        make_region(origin)
        product = Product(supplier_id=supplier.id, name=name or f"产品{n}", category=category,
                          origin_region_code=origin, description=description, images=[],
                          shelf_life_days=180, storage="常温", status=status)
        db.session.add(product)
        db.session.commit()
        if certified:
            make_certification(product)
        return product
    return make


@pytest.fixture
def make_sku(db, make_product):
    """A SKU (of a new default product if none is given)."""
    def make(product=None, price_fen=1000, stock=100, min_order_qty=1, name=None, unit="袋"):
        n = next(_seq)
        product = product or make_product()
        sku = Sku(product_id=product.id, name=name or f"规格{n}", unit=unit, price_fen=price_fen, stock=stock,
                  min_order_qty=min_order_qty)
        db.session.add(sku)
        db.session.commit()
        return sku
    return make
