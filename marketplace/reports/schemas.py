"""Report query strings (validated, yuan → fen at the edge) and the JSON bodies."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from marketplace.catalog.models import CATEGORIES
from marketplace.core.clock import now_local
from marketplace.core.http import PageQuerySchema, page_of
from marketplace.reports.queries.common import Period
from marketplace.reports.queries.sales import GROUP_KEYS

FORMATS = ("json", "csv", "xlsx")
MAX_YEARS = 3
MAX_THRESHOLDS = 10
MAX_THRESHOLD_YUAN = 10**7
#: The 越西 case's lines of 2020 (yuan per capita per year): what the default thresholds are, said in the report.
DEFAULT_THRESHOLDS_YUAN = (4200, 4500, 5000)
DEFAULT_THRESHOLDS_LABEL = "4200, 4500, 5000 yuan: the 2020 lines of the 越西 (Yuexi county) case"
Year = fields.Integer(strict=False, validate=validate.Range(min=2000, max=2100))
RegionPrefix = validate.Regexp(r"^[0-9]{2,12}$", error="a region code prefix of 2 to 12 digits")


class CommaList(fields.Field):
    """A list in a query string → a list of stripped items (ints with ``integers=True``).

    Documented as an array in OpenAPI's default style, the parameter repeated
    (``group_by=county&group_by=month``, what generated clients send); a comma list in one value
    (``group_by=county,month``) is accepted too. Every value is read: none is silently dropped.
    """

    is_multiple = True  # webargs hands over every value of a repeated parameter

    def __init__(self, *, integers=False, **kwargs):
        item = {"type": "integer"} if integers else {"type": "string"}
        kwargs["metadata"] = {"type": "array", "items": item, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.integers = integers

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list | tuple) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise ValidationError("a list: the parameter repeated, or comma-separated")
        items = [item.strip() for v in values for item in v.split(",")]
        if any(not item for item in items):
            raise ValidationError("empty item in the list")
        if self.integers:
            if not all(item.isascii() and item.isdigit() and len(item) <= 9 for item in items):
                raise ValidationError("whole numbers only")
            return [int(item) for item in items]
        return items

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else ",".join(str(v) for v in value)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PeriodQuerySchema(Schema):
    """``year`` or ``from``/``to`` (local dates, inclusive, at most 3 years); default: this year."""

    year = Year
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    region = fields.String(validate=RegionPrefix)
    format = fields.String(validate=validate.OneOf(FORMATS),
                           metadata={"description": "json, csv or xlsx; without it, the Accept header chooses "
                                                    "(text/csv, the xlsx MIME type), else json"})

    @validates_schema
    def check_period(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if "year" in data and (start or end):
            raise ValidationError("give either year or from/to, not both", "year")
        if (start is None) != (end is None):
            raise ValidationError("from and to go together", "to" if end is None else "from")
        if start and end:
            if end < start:
                raise ValidationError("must not be before from", "to")
            if end >= add_years(start, MAX_YEARS):
                raise ValidationError(f"the range may span at most {MAX_YEARS} years", "to")

    @post_load
    def make_period(self, data, **kwargs):
        start, end = data.pop("from_", None), data.pop("to", None)
        year = data.pop("year", None)
        if start:
            data["period"] = Period(start, end)
        else:
            data["year"] = year or now_local().year
            data["period"] = Period.of_year(data["year"])
        data.setdefault("region", "")
        return data


class YearQuerySchema(PeriodQuerySchema):
    """Reports over one calendar year only."""

    class Meta:
        exclude = ("from_", "to")


class SalesQuerySchema(PeriodQuerySchema):
    group_by = CommaList(load_default=lambda: ["county", "month"],
                         metadata={"description": "one or two of " + ", ".join(GROUP_KEYS),
                                   "items": {"type": "string", "enum": list(GROUP_KEYS)}})
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))

    @validates_schema
    def check_group_by(self, data, **kwargs):
        keys = data.get("group_by") or []
        unknown = [k for k in keys if k not in GROUP_KEYS]
        if unknown:
            raise ValidationError(f"unknown key(s) {', '.join(unknown)}; use {', '.join(GROUP_KEYS)}", "group_by")
        if not 1 <= len(keys) <= 2:
            raise ValidationError("one or two keys", "group_by")
        if len(set(keys)) != len(keys):
            raise ValidationError("the same key twice", "group_by")


class BeneficiariesQuerySchema(PeriodQuerySchema):
    group_by = fields.String(load_default="village", validate=validate.OneOf(("village", "county")))


class IncomeBandsQuerySchema(YearQuerySchema, PageQuerySchema):
    thresholds = CommaList(integers=True, load_default=lambda: list(DEFAULT_THRESHOLDS_YUAN),
                           metadata={"description": "yuan per capita per year, strictly increasing, 1 to 10 values"})

    @validates_schema
    def check_thresholds(self, data, **kwargs):
        values = data.get("thresholds") or []
        if not 1 <= len(values) <= MAX_THRESHOLDS:
            raise ValidationError(f"1 to {MAX_THRESHOLDS} values", "thresholds")
        if any(not 1 <= v <= MAX_THRESHOLD_YUAN for v in values):
            raise ValidationError(f"each between 1 and {MAX_THRESHOLD_YUAN} yuan", "thresholds")
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            raise ValidationError("must be strictly increasing", "thresholds")

    @post_load
    def thresholds_to_fen(self, data, **kwargs):
        thresholds = data.pop("thresholds")
        data["thresholds_label"] = ("given in the query" if tuple(thresholds) != DEFAULT_THRESHOLDS_YUAN
                                    else DEFAULT_THRESHOLDS_LABEL)
        data["thresholds_fen"] = [v * 100 for v in thresholds]
        return data


class ProcurementQuerySchema(YearQuerySchema):
    pass


# ---- bodies -------------------------------------------------------------------------------------

class PeriodSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")


class SalesFiguresSchema(Schema):
    orders = fields.Integer()
    quantity = fields.Integer()
    refunded_quantity = fields.Integer()
    gross_fen = fields.Integer()
    refunded_fen = fields.Integer()
    net_fen = fields.Integer()


class SalesRowSchema(SalesFiguresSchema):
    """Only the columns of the requested keys appear."""

    province = fields.String(allow_none=True)
    province_name = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    city_name = fields.String(allow_none=True)
    county = fields.String(allow_none=True)
    county_name = fields.String(allow_none=True)
    township = fields.String(allow_none=True)
    township_name = fields.String(allow_none=True)
    village = fields.String(allow_none=True)
    village_name = fields.String(allow_none=True)
    category = fields.String()
    product_id = fields.Integer()
    product_name = fields.String()
    supplier_id = fields.Integer()
    supplier_name = fields.String()
    buyer_org_id = fields.Integer()
    buyer_name = fields.String(allow_none=True)
    buyer_kind = fields.String()
    day = fields.String()
    week = fields.String(metadata={"description": "the Monday of the week, YYYY-MM-DD"})
    month = fields.String()


class SalesReportSchema(Schema):
    period = fields.Nested(PeriodSchema)
    region = fields.String()
    group_by = fields.List(fields.String())
    rows = fields.List(fields.Nested(SalesRowSchema))
    totals = fields.Nested(SalesFiguresSchema, metadata={
        "description": "the sums equal the rows' sums; orders counts distinct orders once"})


class BeneficiaryFiguresSchema(Schema):
    households_benefited = fields.Integer()
    members_benefited = fields.Integer()
    household_income_fen = fields.Integer()
    operating_fen = fields.Integer(metadata={"description": "by supply (经营性)"})
    asset_fen = fields.Integer(metadata={"description": "by shares (资产性)"})
    per_household_fen = fields.Integer(allow_none=True)
    per_capita_fen = fields.Integer(allow_none=True)
    collective_income_fen = fields.Integer()


class BeneficiaryRowSchema(BeneficiaryFiguresSchema):
    region_code = fields.String()
    region_name = fields.String(allow_none=True)


class BeneficiariesReportSchema(Schema):
    period = fields.Nested(PeriodSchema)
    region = fields.String()
    group_by = fields.String()
    rows = fields.List(fields.Nested(BeneficiaryRowSchema))
    totals = fields.Nested(BeneficiaryFiguresSchema)


class BandSchema(Schema):
    band = fields.Integer()
    lower_fen = fields.Integer(allow_none=True)
    upper_fen = fields.Integer(allow_none=True)
    households = fields.Integer()


class BandHouseholdSchema(Schema):
    household_id = fields.Integer()
    head_name_masked = fields.String()
    id_number_masked = fields.String()
    village_code = fields.String()
    village_name = fields.String(allow_none=True)
    status = fields.String()
    members = fields.Integer()
    baseline_per_capita_fen = fields.Integer()
    attributed_fen = fields.Integer()
    per_capita_income_fen = fields.Integer()
    band = fields.Integer()
    below_threshold_fen = fields.Integer(metadata={"description": "the lowest threshold it is below"})


class BelowThresholdSchema(Schema):
    threshold_fen = fields.Integer()
    count = fields.Integer()


class MonitoringLineSchema(Schema):
    per_capita_fen = fields.Integer()
    year = fields.Integer()
    source = fields.String()


class IncomeBandsReportSchema(Schema):
    year = fields.Integer()
    region = fields.String()
    thresholds_fen = fields.List(fields.Integer())
    thresholds_label = fields.String(metadata={"description": "what the thresholds are (year and source)"})
    monitoring_line = fields.Nested(MonitoringLineSchema, metadata={
        "description": "the configured monitoring line (MONITORING_LINE_FEN), its year and source"})
    total_households = fields.Integer()
    bands = fields.List(fields.Nested(BandSchema))
    below = fields.List(fields.Nested(BelowThresholdSchema))
    households = fields.Nested(page_of(BandHouseholdSchema), metadata={
        "description": "one page (page, page_size) of the households below the highest threshold, "
                       "one row each with its band; the CSV/XLSX export streams them all"})


class ProcurementRowSchema(Schema):
    organization_id = fields.Integer()
    organization_name = fields.String()
    kind = fields.String()
    region_code = fields.String()
    target_fen = fields.Integer(allow_none=True)
    spent_fen = fields.Integer()
    orders = fields.Integer()
    percent_bp = fields.Integer(allow_none=True, metadata={"description": "spent/target in basis points, floor"})
    percent = fields.String(allow_none=True, metadata={"description": "one decimal, floor, e.g. 12.3"})
    elapsed_bp = fields.Integer()
    behind_schedule = fields.Boolean(allow_none=True)


class ProcurementReportSchema(Schema):
    year = fields.Integer()
    region = fields.String()
    elapsed_bp = fields.Integer()
    rows = fields.List(fields.Nested(ProcurementRowSchema))
    totals = fields.Dict()
