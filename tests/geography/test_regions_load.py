"""`flask regions load` imports the bundled national data, idempotently."""
import csv

from sqlalchemy import func, select

from marketplace.geography.models import Region
from marketplace.geography.services import DATA_DIR, FILES


def _csv_counts():
    counts = {}
    for filename, _ in FILES:
        with open(DATA_DIR / filename, encoding="utf-8") as fh:
            counts[filename] = sum(1 for _ in csv.DictReader(fh))
    return counts


def test_regions_load_cli_imports_all_rows_and_is_idempotent(app, db):
    # given
    runner = app.test_cli_runner()
    expected = _csv_counts()
    # when
    first = runner.invoke(args=["regions", "load"])
    second = runner.invoke(args=["regions", "load"])
    # then
    assert first.exit_code == 0, first.output
    total = sum(expected.values())
    assert f"regions loaded: {total} new" in first.output
    assert second.exit_code == 0 and "regions loaded: 0 new" in second.output
    db.session.remove()
    by_level = dict(db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert by_level == {"province": expected["provinces.csv"], "city": expected["cities.csv"],
                        "county": expected["areas.csv"], "township": expected["streets.csv"]}
    assert total > 44000
    # the hierarchy holds: every region below a province has its parent row
    parent = Region.__table__.alias("parent")
    missing = db.session.scalar(
        select(func.count()).select_from(Region.__table__.outerjoin(parent, parent.c.code == Region.parent_code))
        .where(Region.level != "province", parent.c.code.is_(None)))
    assert missing == 0
    wanyuan = db.session.get(Region, "511781")
    assert wanyuan.name == "万源市" and wanyuan.parent_code == "5117"
    flagged = dict(db.session.execute(select(Region.code, Region.lifted_year).where(Region.poverty_county)).all())
    assert flagged == {"511781": 2020, "220422": 2019, "500114": 2017, "610902": 2019, "513434": 2020}
    assert db.session.get(Region, "11").parent_code is None
