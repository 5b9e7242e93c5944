
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, check_one_of
from marketplace.geography.codes import LENGTH_BY_LEVEL, LEVEL_BY_LENGTH, LEVELS  # noqa: F401 (re-exported)


class Region(Base):
    """An administrative division; hierarchy is the code prefix."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    #: One of the 832 formerly poor counties.
    poverty_county: Mapped[bool] = mapped_column(Boolean, default=False)
    poverty_village: Mapped[bool] = mapped_column(Boolean, default=False)
    lifted_year: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (check_one_of("level", LEVELS),)
