from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, BasisPoints, Fen, IntPK, UtcDateTime, check_one_of, enum_values, utcnow

#: code → (Chinese, English)
CATEGORIES = {
    "tea": ("茶叶", "Tea"), "konjac": ("魔芋", "Konjac"), "fungi": ("食用菌", "Fungi"), "rice": ("大米", "Rice"),
    "grain_oil": ("粮油", "Grain and oil"), "eggs": ("禽蛋", "Eggs"), "meat": ("肉类", "Meat"),
    "honey": ("蜂蜜", "Honey"), "fruit": ("水果", "Fruit"), "vegetables": ("蔬菜", "Vegetables"),
    "spice": ("调味品", "Spice"), "other": ("其他", "Other"),
}


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


PRODUCT_STATUSES = enum_values(ProductStatus)
#: action → (states it may start from, state it leads to)
PRODUCT_TRANSITIONS = {
    "publish": ((ProductStatus.DRAFT,), ProductStatus.ACTIVE),
    "unpublish": ((ProductStatus.ACTIVE,), ProductStatus.DRAFT),
    "archive": ((ProductStatus.DRAFT, ProductStatus.ACTIVE), ProductStatus.ARCHIVED),
}


class Product(Base):
    __tablename__ = "products"
    id: Mapped[IntPK]
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    #: A village or county code; reports roll up by its prefixes.
    origin_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    images: Mapped[Any] = mapped_column(JSON, default=list)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    storage: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    #: Units sold, maintained on order placement/cancel (sort=sales).
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    skus = relationship("Sku", back_populates="product", order_by="Sku.id", lazy="selectin")
    supplier = relationship("Organization", lazy="joined")

    __table_args__ = (
        check_one_of("status", ProductStatus),
        CheckConstraint("sales_count >= 0", name="sales_positive"),
        # PostgreSQL only: trigram GIN indexes serve `q` (ILIKE '%木耳%') without a scan.
        Index("ix_products_name_trgm", "name", postgresql_using="gin",
              postgresql_ops={"name": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_products_description_trgm", "description", postgresql_using="gin",
              postgresql_ops={"description": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )


#: The trigram indexes need the extension; create_all runs this first (migrations must too).
event.listen(Product.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class Sku(Base):
    """The sellable unit. Stock changes only by adjustments and orders."""

    __tablename__ = "skus"
    id: Mapped[IntPK]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    price_fen: Mapped[Fen]
    stock: Mapped[int] = mapped_column(Integer, default=0)
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    product = relationship("Product", back_populates="skus")

    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        CheckConstraint("price_fen >= 1", name="price_positive"),
        CheckConstraint("min_order_qty >= 1", name="min_qty_positive"),
    )


class StockAdjustment(Base):
    __tablename__ = "stock_adjustments"
    id: Mapped[IntPK]
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    stock_after: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AttributionScheme(Base):
    """A version of a product's attribution shares (basis points summing to 10000).

    product_id NULL with supplier_id set = the supplier's default scheme.
    """

    __tablename__ = "attribution_schemes"
    id: Mapped[IntPK]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    households_by_supply_bp: Mapped[BasisPoints]
    households_by_shares_bp: Mapped[BasisPoints]
    collective_bp: Mapped[BasisPoints]
    supplier_bp: Mapped[BasisPoints]
    supply_lookback_days: Mapped[int] = mapped_column(Integer, default=365)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("product_id", "supplier_id", "version", name="uq_attribution_schemes_version"),
        CheckConstraint("households_by_supply_bp + households_by_shares_bp + collective_bp + supplier_bp = 10000",
                        name="shares_sum"),
        CheckConstraint("households_by_supply_bp >= 0 AND households_by_shares_bp >= 0 AND collective_bp >= 0 "
                        "AND supplier_bp >= 0", name="shares_non_negative"),
        CheckConstraint("supply_lookback_days BETWEEN 1 AND 730", name="lookback_range"),
    )

    @property
    def source(self):
        """product (a product's own version) or supplier_default (product_id NULL)."""
        return "product" if self.product_id is not None else "supplier_default"
