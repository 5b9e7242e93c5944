"""Report use-cases: scope the region, build the one aggregate, shape JSON or stream rows for a file.

Every report takes the caller (for the region scope) and the parsed query. A
region outside the caller's scope is a 404 (ids are not probed); a region
wider than the scope is narrowed to the scope.
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import current_app

from marketplace.core.clock import now_local
from marketplace.core.http import paginate
from marketplace.core.scope import narrowed
from marketplace.extensions import db
from marketplace.geography.codes import LENGTH_BY_LEVEL
from marketplace.reports.queries import beneficiaries as bq
from marketplace.reports.queries import income_bands as iq
from marketplace.reports.queries import procurement as pq
from marketplace.reports.queries import sales as sq

#: Rows fetched per round trip when streaming (a server-side cursor on PostgreSQL).
YIELD_PER = 1000
LEVEL_LENGTHS = {level: LENGTH_BY_LEVEL[level] for level in ("village", "county")}


@dataclass
class Export:
    """A report as a file: an ASCII file stem, the header, and a callable yielding row tuples lazily."""

    name: str
    columns: list[str]
    rows: Callable[[], Iterator[tuple]]
    sheet: str = "report"
    meta: dict = field(default_factory=dict)


def dialect_name():
    return db.session.get_bind().dialect.name


def stream(stmt) -> Iterator:
    """Execute with a server-side cursor and yield rows one by one."""
    result = db.session.execute(stmt.execution_options(yield_per=YIELD_PER))
    try:
        yield from result
    finally:
        result.close()


def _stem(report, period, region):
    return f"{report}-{region or 'all'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


# ---- sales ---------------------------------------------------------------------------------------

def _sales_args(actor, args):
    region = narrowed(actor.region_scope, args.get("region"))
    return {"period": args["period"], "region": region, "category": args.get("category")}


def sales_report(*, actor, args):
    """Paid sales grouped by one or two keys, with totals (same pass on PostgreSQL, else a second aggregate)."""
    common = _sales_args(actor, args)
    stmt = sq.sales_statement(group_by=args["group_by"], dialect_name=dialect_name(), **common)
    rows, totals = [], None
    for row in db.session.execute(stmt):
        mapping = dict(row._mapping)
        if mapping.pop("is_total"):
            totals = {m: mapping[m] for m in sq.MEASURES}
        else:
            rows.append(mapping)
    if totals is None:
        totals = dict(db.session.execute(sq.sales_totals_statement(**common)).one()._mapping)
    return {"period": common["period"], "region": common["region"], "group_by": args["group_by"],
            "rows": rows, "totals": totals}


def sales_export(*, actor, args):
    """The sales rows streamed, then one totals row (first key column reads "total")."""
    common = _sales_args(actor, args)
    group_by = args["group_by"]
    columns = sq.columns_for(group_by)
    keys = len(columns) - len(sq.MEASURES)
    stmt = sq.sales_statement(group_by=group_by, dialect_name=dialect_name(), **common)

    def total_row(measures):
        return ("total",) + (None,) * (keys - 1) + tuple(measures)

    def rows():
        totals = None
        for row in stream(stmt):
            if row.is_total:
                totals = tuple(row)[keys:-1]
            else:
                yield tuple(row)[:-1]
        if totals is None:
            totals = tuple(db.session.execute(sq.sales_totals_statement(**common)).one())
        yield total_row(totals)

    return Export(_stem("sales", common["period"], common["region"]), columns, rows, sheet="sales")


# ---- beneficiaries -------------------------------------------------------------------------------

BENEFICIARY_COLUMNS = ["region_code", "region_name", *bq.MEASURES, *bq.DERIVED]


def _with_derived(mapping):
    return {**mapping, **bq.derive(mapping)}


def beneficiary_rows(*, period, region, level_length):
    """Grouped rows (dicts) of the beneficiaries aggregate; shared with public disclosure."""
    stmt = bq.beneficiaries_statement(period=period, region=region, level_length=level_length)
    return [_with_derived(dict(row._mapping)) for row in db.session.execute(stmt)]


def sum_beneficiaries(rows):
    """Totals by summing the grouped rows (so they equal the rows exactly), then the derived figures."""
    sums = {m: sum(row[m] for row in rows) for m in bq.MEASURES}
    return _with_derived(sums)


def beneficiaries_report(*, actor, args):
    """Households benefited, income (by mode), per household, per capita and collective income by region."""
    region = narrowed(actor.region_scope, args.get("region"))
    rows = beneficiary_rows(period=args["period"], region=region, level_length=LEVEL_LENGTHS[args["group_by"]])
    return {"period": args["period"], "region": region, "group_by": args["group_by"], "rows": rows,
            "totals": sum_beneficiaries(rows)}


def beneficiaries_export(*, actor, args):
    region = narrowed(actor.region_scope, args.get("region"))
    stmt = bq.beneficiaries_statement(period=args["period"], region=region,
                                      level_length=LEVEL_LENGTHS[args["group_by"]])

    def rows():
        sums = dict.fromkeys(bq.MEASURES, 0)
        for row in stream(stmt):
            mapping = _with_derived(dict(row._mapping))
            for m in bq.MEASURES:
                sums[m] += mapping[m]
            yield tuple(mapping[c] for c in BENEFICIARY_COLUMNS)
        totals = _with_derived(sums)
        yield ("total", None, *(totals[c] for c in BENEFICIARY_COLUMNS[2:]))

    return Export(_stem("beneficiaries", args["period"], region), BENEFICIARY_COLUMNS, rows, sheet="beneficiaries")


# ---- income bands --------------------------------------------------------------------------------

def _band_rows(counts, thresholds):
    found = dict(counts)
    bounds = [None, *thresholds, None]
    return [{"band": i, "lower_fen": bounds[i], "upper_fen": bounds[i + 1], "households": found.get(i, 0)}
            for i in range(len(thresholds) + 1)]


def income_bands_report(*, actor, args):
    """Counts per band and below each threshold, and one page of the masked households below the
    highest threshold, one row each with its band (lowest income first)."""
    region = narrowed(actor.region_scope, args.get("region"))
    query = {"period": args["period"], "region": region, "thresholds": args["thresholds_fen"]}
    bands = _band_rows(db.session.execute(iq.band_counts_statement(**query)).all(), args["thresholds_fen"])
    below, count = [], 0
    for threshold, band in zip(args["thresholds_fen"], bands, strict=False):
        count += band["households"]
        below.append({"threshold_fen": threshold, "count": count})
    households = paginate(iq.below_statement(**query), args, scalars=False)
    households["items"] = [dict(row._mapping) for row in households["items"]]
    return {"year": args["year"], "region": region, "thresholds_fen": args["thresholds_fen"],
            "thresholds_label": args.get("thresholds_label"), "monitoring_line": monitoring_line(),
            "total_households": sum(b["households"] for b in bands), "bands": bands, "below": below,
            "households": households}


def monitoring_line():
    """This year's monitoring line (防止返贫监测线) as configured, with its year and source."""
    config = current_app.config
    return {"per_capita_fen": config["MONITORING_LINE_FEN"], "year": config["MONITORING_LINE_YEAR"],
            "source": config["MONITORING_LINE_SOURCE"]}


def income_bands_export(*, actor, args):
    """The list passed to other departments: households under the highest threshold, masked."""
    region = narrowed(actor.region_scope, args.get("region"))
    stmt = iq.below_statement(period=args["period"], region=region, thresholds=args["thresholds_fen"])

    def rows():
        yield from (tuple(row) for row in stream(stmt))

    return Export(f"income-bands-{region or 'all'}-{args['year']}", list(iq.LIST_COLUMNS), rows,
                  sheet="income bands")


# ---- procurement ---------------------------------------------------------------------------------

def procurement_report(*, actor, args, now=None):
    """Each buyer in scope with a target or spend in the year: spend, percent and behind-schedule flag."""
    region = narrowed(actor.region_scope, args.get("region"))
    now = now or now_local()
    year = args["year"]
    stmt = pq.procurement_statement(year=year, region=region)
    rows = [{**dict(row._mapping), **pq.derive(row._mapping, year, now)} for row in db.session.execute(stmt)]
    done, length = pq.elapsed(year, now)
    totals = {"target_fen": sum(r["target_fen"] or 0 for r in rows), "spent_fen": sum(r["spent_fen"] for r in rows)}
    return {"year": year, "region": region, "elapsed_bp": done * 10000 // length, "rows": rows, "totals": totals}


def procurement_export(*, actor, args, now=None):
    region = narrowed(actor.region_scope, args.get("region"))
    now = now or now_local()
    year = args["year"]
    stmt = pq.procurement_statement(year=year, region=region)

    def rows():
        for row in stream(stmt):
            mapping = {**dict(row._mapping), **pq.derive(row._mapping, year, now)}
            yield tuple(mapping[c] for c in pq.COLUMNS)

    return Export(f"procurement-{region or 'all'}-{year}", list(pq.COLUMNS), rows, sheet="procurement")
