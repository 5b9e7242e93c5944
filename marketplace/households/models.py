"""Households (sensitive personal data), their shares in suppliers and their supply records.

The head's name and ID number are stored only encrypted (Fernet, key from
``HOUSEHOLD_ID_KEY``) beside a masked copy for listing and search; the ID number
also has a keyed HMAC for look-up and uniqueness. See ``households/protection.py``.
"""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, Fen, IntPK, UtcDateTime, check_one_of, enum_values, utcnow
from marketplace.geography.codes import county_of


class HouseholdStatus(StrEnum):
    """After 2020 (防止返贫动态监测): lifted 脱贫户; monitored kinds: monitored 脱贫不稳定户 (unstable lifted),
    edge 边缘易致贫户 (marginal), sudden_hardship 突发严重困难户; ordinary. registered_poor (建档立卡贫困户)
    is kept for records from before 2021."""

    REGISTERED_POOR = "registered_poor"
    LIFTED = "lifted"
    MONITORED = "monitored"
    EDGE = "edge"
    SUDDEN_HARDSHIP = "sudden_hardship"
    ORDINARY = "ordinary"


STATUSES = enum_values(HouseholdStatus)
MIN_MEMBERS, MAX_MEMBERS = 1, 30


class Household(Base):
    __tablename__ = "households"
    id: Mapped[IntPK]
    #: A village-level region code (12 digits); its county is ``county_code`` (``geography.codes.county_of``).
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    #: Fernet token of the head's name (never stored in clear).
    head_name_enc: Mapped[str] = mapped_column(Text)
    #: ``mask_name(head_name)``: what lists show outside an admin's scope, and what ``q`` prefix-matches.
    head_name_masked: Mapped[str] = mapped_column(String(50), index=True)
    #: Keyed HMAC of the name (newest key), so ``q`` can find a full name without decrypting or logging it.
    head_name_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: Fernet token of the normalised ID number (newest key encrypts, any configured key decrypts).
    id_number_enc: Mapped[str] = mapped_column(Text)
    #: Hex HMAC-SHA256 of the normalised ID number under the newest key's look-up subkey.
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``5134**********1234``
    id_number_masked: Mapped[str] = mapped_column(String(18))
    #: 建档立卡 registry number.
    registry_no: Mapped[str] = mapped_column(String(40), index=True)
    members: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    lifted_year: Mapped[int | None] = mapped_column(Integer)
    #: Annual per-capita income from other sources (income-bands baseline), fen.
    baseline_income_per_capita_fen: Mapped[Fen | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(f"members BETWEEN {MIN_MEMBERS} AND {MAX_MEMBERS}", name="members_range"),
        check_one_of("status", HouseholdStatus),
        CheckConstraint("baseline_income_per_capita_fen IS NULL OR baseline_income_per_capita_fen >= 0",
                        name="baseline_non_negative"),
        CheckConstraint("lifted_year IS NULL OR lifted_year BETWEEN 1978 AND 2100", name="lifted_year_range"),
    )

    @property
    def county_code(self):
        return county_of(self.village_code)


class Membership(Base):
    """A household's shares in a supplier (入股); weights the ``households_by_shares`` attribution."""

    __tablename__ = "household_memberships"
    id: Mapped[IntPK]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    shares: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    household = relationship("Household", lazy="joined")

    __table_args__ = (
        UniqueConstraint("organization_id", "household_id", name="uq_household_memberships_org_household"),
        CheckConstraint("shares > 0", name="shares_positive"),
    )


class SupplyRecord(Base):
    """Raw produce a supplier bought from a household (收购).

    ``quantity`` is a whole number of ``unit`` (e.g. 100 kg); the ledger weights
    ``households_by_supply`` attribution by the sum of quantities per household.
    """

    __tablename__ = "supply_records"
    id: Mapped[IntPK]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    amount_paid_fen: Mapped[Fen]
    supplied_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    household = relationship("Household", lazy="joined")

    __table_args__ = (
        Index("ix_supply_records_product_supplied_on", "product_id", "supplied_on"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("amount_paid_fen >= 0", name="amount_non_negative"),
    )
