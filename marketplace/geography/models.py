from enum import StrEnum

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, check_one_of, enum_values


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


LEVELS = enum_values(RegionLevel)
LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
LENGTH_BY_LEVEL = {v: k for k, v in LEVEL_BY_LENGTH.items()}


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

    __table_args__ = (check_one_of("level", RegionLevel),)
