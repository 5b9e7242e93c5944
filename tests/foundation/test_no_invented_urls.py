"""No link in the repository points at a real government or company domain the project does not own.

Demo and test data use reserved names (RFC 2606/6761: example.com/.cn/.net/.org, *.example, *.test,
*.invalid, localhost) or the app itself; the few real hosts below are real resources, each with its reason.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("marketplace", "data", "tests", "scripts", "migrations", "README.md", "config.py", "wsgi.py")
SUFFIXES = {".py", ".md", ".csv", ".txt", ".json", ".toml", ".ini", ".cfg", ".mako", ".html", ""}
URL = re.compile(r"https?://([A-Za-z0-9.-]+)")
GOV_CN = re.compile(r"\b[a-z0-9-]+(\.[a-z0-9-]+)*\.gov\.cn\b", re.IGNORECASE)
RESERVED = re.compile(r"(^|\.)(example\.(com|cn|net|org)|example|test|invalid|localhost)$")
LOOPBACK = {"localhost", "127.0.0.1", "0.0.0.0"}
#: Real hosts that are linked on purpose (existing resources, no invented path), with the reason.
ALLOWED = {
    "cdn.jsdelivr.net": "Swagger UI assets of the API docs page (config OPENAPI_SWAGGER_UI_URL)",
    "alembic.zzzcomputing.com": "Alembic's documentation, in the generated migrations/env.py",
}


def _files():
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else path.rglob("*")
        for file in candidates:
            if file.is_file() and file.suffix in SUFFIXES and "__pycache__" not in file.parts \
                    and file != Path(__file__).resolve():  # its own examples of what it catches
                yield file


def _hosts(text):
    return {m.group(1).lower().rstrip(".") for m in URL.finditer(text)}


def test_every_url_points_to_a_reserved_name_the_app_or_an_allowed_resource():
    offending = []
    for file in _files():
        text = file.read_text(encoding="utf-8", errors="replace")
        for host in _hosts(text):
            if "." not in host and host not in LOOPBACK:
                continue  # a template (http://{host}) or a bare word, not a domain
            if host in LOOPBACK or RESERVED.search(host) or host in ALLOWED:
                continue
            offending.append(f"{file.relative_to(ROOT)}: {host}")
        offending += [f"{file.relative_to(ROOT)}: {m.group(0)}" for m in GOV_CN.finditer(text)]
    assert offending == []


def test_the_scan_catches_an_invented_path_on_a_real_domain():
    assert _hosts("see https://www.wanyuan.gov.cn/xxgk/fpcp/tea.pdf and http://127.0.0.1:8000/x") == {
        "www.wanyuan.gov.cn", "127.0.0.1"}
    assert not RESERVED.search("www.wanyuan.gov.cn") and not RESERVED.search("x.cn")
    assert RESERVED.search("files.example.cn") and RESERVED.search("evil.example")
    assert GOV_CN.search("links to hanbin.gov.cn/fpcp")
