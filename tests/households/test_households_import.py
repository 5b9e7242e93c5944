"""flask households import FILE: every row checked, row-numbered errors, all or nothing."""
import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditEvent
from marketplace.households.crypto import IdNumberCipher
from marketplace.households.models import Household
from tests.factories import DEFAULT_VILLAGE
from tests.factories_households import synthetic_id_number

HEADER = "village_code,head_name,id_number,registry_no,members,status,lifted_year,baseline_income_per_capita_fen"
IDS = [synthetic_id_number(900000 + n) for n in range(5)]


@pytest.fixture
def run_import(app, tmp_path, household_cipher, make_region):
    make_region(DEFAULT_VILLAGE)

    def run(*lines, encoding="utf-8"):
        path = tmp_path / "households.csv"
        path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
        return app.test_cli_runner().invoke(args=["households", "import", str(path)])
    return run


def count(db):
    return db.session.scalar(select(func.count()).select_from(Household))


def row(n, **kw):
    values = {"village_code": DEFAULT_VILLAGE, "head_name": f"张{'一二三四五'[n]}", "id_number": IDS[n],
              "registry_no": f"R{n}", "members": "3", "status": "registered_poor", "lifted_year": "",
              "baseline_income_per_capita_fen": ""}
    values.update(kw)
    return ",".join(str(v) for v in values.values())


def test_import_valid_file_inserts_all_and_prints_count(db, run_import):
    result = run_import(HEADER, row(0), row(1, status="lifted", lifted_year="2019"),
                        row(2, baseline_income_per_capita_fen="420000"))
    assert result.exit_code == 0, result.output
    assert "imported 3 households" in result.output
    assert count(db) == 3
    lifted = db.session.scalar(select(Household).where(Household.registry_no == "R1"))
    assert (lifted.lifted_year, lifted.members) == (2019, 3)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "household.import")) == 3


def test_import_bom_and_lowercase_x(db, run_import):
    number = "11010519491231002X"
    result = run_import("\ufeff" + HEADER, row(0, id_number=number.lower()))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Household.id_number_masked)) == "1101**********002X"


def test_import_any_bad_row_imports_nothing_and_numbers_lines(db, run_import, make_household):
    # given: line 2 fine, 3 bad check digit, 4 members 0, 5 duplicate of line 2, 6 unknown village,
    # 7 already in the database, 8 lifted without a year, 9 members 3.5, 10 too few columns
    existing = make_household()
    bad_check = IDS[1][:17] + ("0" if IDS[1][17] != "0" else "1")
    result = run_import(
        HEADER, row(0), row(1, id_number=bad_check), row(2, members="0"), row(3, id_number=IDS[0]),
        row(4, village_code="511781101999"), row(1, id_number=existing.plain_id_number),
        row(2, status="lifted"), row(3, members="3.5"), "511781101001,张三",
    )
    # then
    assert result.exit_code == 1
    out = result.output
    assert count(db) == 1
    expected = ["line 3: id_number", "line 4: members", "line 5: id_number: duplicate of line 2",
                "line 6: village_code", "line 7: id_number: already registered", "line 8: lifted_year",
                "line 9: members", "line 10: row"]
    for fragment in expected:
        assert fragment in out, out
    assert "line 2:" not in out
    assert "nothing imported" in out
    for secret in (bad_check, IDS[0], existing.plain_id_number, "张一", "张二", existing.plain_head_name):
        assert secret not in out


def test_import_quoted_multiline_cell_keeps_line_numbers(db, run_import):
    result = run_import(HEADER, row(0, head_name='"张\n三"'), row(1, members="31"))
    assert result.exit_code == 1
    assert "line 4: members" in result.output, result.output


def test_import_bad_header_rejected(db, run_import):
    result = run_import("village_code,name,id_number", row(0))
    assert result.exit_code == 1
    assert "line 1: header: missing column(s)" in result.output
    assert count(db) == 0


def test_import_not_utf8_rejected(db, run_import):
    result = run_import(HEADER, row(0), encoding="gb18030")
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert count(db) == 0


def test_import_missing_file_is_usage_error(app):
    result = app.test_cli_runner().invoke(args=["households", "import", "/nonexistent.csv"])
    assert result.exit_code == 2


def test_rotate_keys_command_rehashes_under_new_key(app, db, make_household):
    household = make_household()
    new_key = "q4Z9m2pQ7sT1vW5xY8zA3bC6dE0fG2hJ4kL7mN9pR1s="
    app.config["HOUSEHOLD_ID_KEY"] = f"{new_key},{app.config['HOUSEHOLD_ID_KEY']}"
    app.extensions.pop("household_cipher")
    result = app.test_cli_runner().invoke(args=["households", "rotate-keys"])
    assert result.exit_code == 0 and "rotated 1 households" in result.output
    db.session.expire_all()
    only_new = IdNumberCipher.from_config(new_key)
    stored = db.session.get(Household, household.id)
    assert stored.id_number_hash == only_new.lookup_hash(household.plain_id_number)
    assert only_new.decrypt(stored.id_number_enc) == household.plain_id_number
