from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, Fen, IntPK, UtcDateTime, check_one_of, enum_values, utcnow
from marketplace.organizations.states import OrganizationStatus


class OrganizationKind(StrEnum):
    COOPERATIVE = "cooperative"
    COLLECTIVE = "collective"
    ENTERPRISE = "enterprise"
    CANTEEN = "canteen"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    AGENCY = "agency"
    STATE_ENTERPRISE = "state_enterprise"
    UNION = "union"


KINDS = enum_values(OrganizationKind)
SUPPLIER_KINDS = KINDS[:3]
BUYER_KINDS = KINDS[3:]
STATUSES = enum_values(OrganizationStatus)


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    #: Unified social credit code (GB 32100), check character validated.
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    #: Buyers: orders whose total exceeds this wait for an approver (null = never).
    approval_threshold_fen: Mapped[Fen | None]
    #: Buyers: bank-transfer orders may be fulfilled before payment; pay_by then counts from acceptance.
    pay_after_delivery: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        check_one_of("kind", OrganizationKind),
        check_one_of("status", OrganizationStatus),
        CheckConstraint("approval_threshold_fen IS NULL OR approval_threshold_fen >= 0", name="threshold_positive"),
    )

    @property
    def is_supplier(self):
        return self.kind in SUPPLIER_KINDS

    @property
    def is_buyer(self):
        return self.kind in BUYER_KINDS


class ProcurementTarget(Base):
    """A buyer's yearly consumption-aid purchasing target."""

    __tablename__ = "procurement_targets"
    id: Mapped[IntPK]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    target_fen: Mapped[Fen]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("organization_id", "year", name="uq_procurement_targets_org_year"),
        CheckConstraint("target_fen >= 0", name="target_positive"),
    )
