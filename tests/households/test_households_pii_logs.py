"""No ID number or name in any log line (SQL echo included) or CLI output."""
import logging

import pytest
import structlog

from marketplace.households.id_numbers import id_check_char
from tests.factories import DEFAULT_VILLAGE
from tests.factories_households import synthetic_id_number

pytestmark = pytest.mark.usefixtures("household_cipher")

NAMES = ("欧阳春花", "诸葛明亮", "司马秋月", "上官云飞")
IDS = [synthetic_id_number(700000 + n) for n in range(4)]
HEADER = "village_code,head_name,id_number,registry_no,members,status,lifted_year,baseline_income_per_capita_fen"


def bad_check(number):
    return number[:17] + ("1" if id_check_char(number[:17]) != "1" else "2")


def test_no_pii_in_logs_while_creating_failing_and_importing(app, db, api, make_user, make_org, make_region,
                                                              tmp_path, caplog, capsys):
    # given: everything logs at DEBUG, including SQLAlchemy's statement parameters
    make_region(DEFAULT_VILLAGE)
    admin = make_user("admin")
    manager = make_user("supplier_manager", org=make_org())
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    body = {"village_code": DEFAULT_VILLAGE, "head_name": NAMES[0], "id_number": IDS[0], "registry_no": "P-1",
            "members": 3, "status": "registered_poor"}
    outputs = []

    # when: create, duplicate, bad check digit, bad member count, edit, search, link, import
    created = api.post("/households", admin, json=body)
    assert created.status_code == 201
    hid = created.get_json()["id"]
    for payload, status in (({**body, "head_name": NAMES[1]}, 409),
                            ({**body, "id_number": bad_check(IDS[1]), "head_name": NAMES[1]}, 422),
                            ({**body, "id_number": IDS[1], "members": 0}, 422)):
        resp = api.post("/households", admin, json=payload)
        assert resp.status_code == status
        outputs.append(resp.get_data(as_text=True))
    assert api.patch(f"/households/{hid}", admin, json={"head_name": NAMES[2]}).status_code == 200
    assert api.patch(f"/households/{hid}", admin, json={"id_number": IDS[3]}).status_code == 422
    assert api.get(f"/households?q={NAMES[2]}", admin).status_code == 200
    assert api.post(f"/organizations/{manager.organization_id}/members", manager,
                    json={"household_id": hid, "shares": 1}).status_code == 201
    path = tmp_path / "h.csv"
    runner = app.test_cli_runner()
    path.write_text(f"{HEADER}\n{DEFAULT_VILLAGE},{NAMES[3]},{bad_check(IDS[3])},P-3,2,edge,,\n"
                    f"{DEFAULT_VILLAGE},{NAMES[1]},{IDS[0]},P-4,2,edge,,\n", encoding="utf-8")
    failed = runner.invoke(args=["households", "import", str(path)])
    path.write_text(f"{HEADER}\n{DEFAULT_VILLAGE},{NAMES[3]},{IDS[3]},P-3,2,edge,,\n", encoding="utf-8")
    imported = runner.invoke(args=["households", "import", str(path)])
    assert (failed.exit_code, imported.exit_code) == (1, 0)
    outputs += [failed.output, imported.output]

    # then
    captured = capsys.readouterr()
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "INSERT INTO households" in logs  # the SQL echo really was captured
    haystack = "\n".join([logs, captured.out, captured.err, *outputs])
    for secret in (*NAMES, *IDS, bad_check(IDS[1]), bad_check(IDS[3])):
        assert secret not in haystack, "personal data leaked into logs or output"
        assert secret.lower() not in haystack
