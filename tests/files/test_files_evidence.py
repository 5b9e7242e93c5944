"""Stored files: the local storage, and GET /files/<key> serving evidence of certified products only."""
import pytest

from marketplace.certification.models import Certification
from marketplace.files.storage import LocalFileStorage, file_storage
from marketplace.seed.evidence import minimal_pdf
from tests.helpers import assert_problem

KEY = "evidence/test-1.pdf"
URL = "http://127.0.0.1:8000/api/v1/files/" + KEY


@pytest.fixture
def stored(app, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "files")
    with app.app_context():
        file_storage().save(KEY, minimal_pdf(["evidence"]), "application/pdf")
        file_storage().save("evidence/unreferenced.pdf", b"%PDF-1.4", "application/pdf")


def _certification(db, make_product, status):
    product = make_product(certified=False, status="draft")
    cert = Certification(product_id=product.id, status=status, evidence_urls=["https://example.cn/a.pdf", URL],
                         benefit_description="说明")
    db.session.add(cert)
    db.session.commit()
    return product


def test_local_storage_round_trip_and_refuses_keys_outside_its_directory(tmp_path):
    storage = LocalFileStorage(tmp_path)
    assert storage.save("evidence/a-1.pdf", b"%PDF", "application/pdf") == "evidence/a-1.pdf"
    stored = storage.open("evidence/a-1.pdf")
    assert (stored.data, stored.content_type) == (b"%PDF", "application/pdf")
    assert storage.open("evidence/missing.pdf") is None
    for key in ("../x.pdf", "/etc/passwd", "evidence/../../x", "Evidence/A.pdf", "evidence//a.pdf", ""):
        assert storage.open(key) is None
        with pytest.raises(ValueError):
            storage.save(key, b"x", "text/plain")


def test_evidence_of_a_certified_product_is_public(api, db, stored, make_product):
    _certification(db, make_product, "approved")
    resp = api.get("/files/" + KEY)
    assert resp.status_code == 200 and resp.content_type == "application/pdf"
    assert resp.data.startswith(b"%PDF-1.4") and 'filename="test-1.pdf"' in resp.headers["Content-Disposition"]


def test_submitted_evidence_is_for_its_supplier_and_staff_in_scope(api, db, stored, make_product, make_user,
                                                                   make_org):
    product = _certification(db, make_product, "submitted")
    assert_problem(api.get("/files/" + KEY), 404)
    assert api.get("/files/" + KEY, make_user(role="supplier_manager", org=product.supplier)).status_code == 200
    assert api.get("/files/" + KEY, make_user(role="admin", region_scope="5117")).status_code == 200
    assert_problem(api.get("/files/" + KEY, make_user(role="admin", region_scope="52")), 404)
    other = make_user(role="supplier_manager", org=make_org(kind="cooperative"))
    assert_problem(api.get("/files/" + KEY, other), 404)


@pytest.mark.parametrize("key", ["evidence/unreferenced.pdf", "evidence/missing.pdf", "../config.py",
                                 "evidence/test-1.pd"])
def test_files_no_certification_points_to_are_404(api, db, stored, make_product, key):
    _certification(db, make_product, "approved")
    assert_problem(api.get("/files/" + key), 404)


def test_minimal_pdf_is_well_formed():
    document = minimal_pdf(["Line (one)", "back\\slash"])
    assert document.startswith(b"%PDF-1.4\n") and document.endswith(b"%%EOF\n")
    xref_at = int(document.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    table = document[xref_at:].split(b"trailer")[0].split(b"\n")
    assert table[0] == b"xref" and table[1] == b"0 6"
    for number, entry in enumerate(table[3:8], start=1):
        assert len(entry) == 19 and entry.endswith(b" 00000 n ")  # 20 bytes with the newline
        assert document[int(entry[:10]):].startswith(b"%d 0 obj" % number)
    stream = document.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert b"/Length %d" % len(stream) in document and b"(Line \\(one\\)) Tj" in stream
    with pytest.raises(ValueError):
        minimal_pdf(["中文"])
