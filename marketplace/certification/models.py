from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.certification.states import CertificationStatus
from marketplace.core.db import Base, IntPK, UtcDateTime, check_one_of, enum_values, utcnow

STATUSES = enum_values(CertificationStatus)


class Certification(Base):
    """扶贫产品认定: a product's poverty-alleviation certification and its decision."""

    __tablename__ = "certifications"
    id: Mapped[IntPK]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    evidence_urls: Mapped[Any] = mapped_column(JSON, default=list)
    benefit_description: Mapped[str] = mapped_column(Text)
    #: Issued on approval; unique when present.
    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    product = relationship("Product", lazy="joined")

    __table_args__ = (
        check_one_of("status", CertificationStatus),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="window"),
        Index("ix_certifications_orderable", "product_id", "status", "valid_from", "valid_until"),
    )
