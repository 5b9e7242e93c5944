"""`make bench`: the project against a bare baseline, same machine, same run; writes bench/results/latest.md.

Steps: a fresh PostgreSQL database (BENCH_DATABASE_URL, dropped and recreated; the schema by
db.create_all() while the migrations cover only the foundation), `regions load`, `seed demo`,
`seed scale` (BENCH_LINES order lines, BENCH_HOUSEHOLDS households); gunicorn with sync workers =
cores for the project (wsgi:app) and for bench/bare_app.py on another port; wrk on loopback
(installed from Debian when missing) for BENCH_SECONDS per measure; then bench/reports_bench.py and
bench/attribution_bench.py (owned by the reports and ledger engineers) on their own databases.

Sizes default small so the whole run stays under 15 minutes on 2 cores:
BENCH_LINES=200000 (the issue's 5M: BENCH_LINES=5000000), BENCH_SECONDS=10, BENCH_REPORT_LINES=200000,
BENCH_ATTRIBUTION_LINES=50000.
"""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from marketplace.core.pgdb import ensure_database  # noqa: E402

BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results" / "latest.md"
URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mk_bench_main")
LINES = int(os.environ.get("BENCH_LINES", "200000"))
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", str(max(1000, LINES // 20))))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
REPORT_LINES = int(os.environ.get("BENCH_REPORT_LINES", "200000"))
ATTRIBUTION_LINES = int(os.environ.get("BENCH_ATTRIBUTION_LINES", "50000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
PROJECT_PORT, BARE_PORT = 8101, 8102
ORDER_STOCK = 1500
HOUSEHOLD_KEY = "mpvz1nJT18Ulrlz9N9pD1Y0OCnNeiMZ92j9KiewDRE0="  # benchmark data only


def log(message):
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def env(**extra):
    return {**os.environ, "DATABASE_URL": URL, "BENCH_DATABASE_URL": URL, "FLASK_APP": "wsgi",
            "HOUSEHOLD_ID_KEY": os.environ.get("HOUSEHOLD_ID_KEY", HOUSEHOLD_KEY), "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT), **extra}


def flask(*args):
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env(), check=True)


def fresh_database():
    ensure_database(URL, fresh=True)
    code = "from marketplace import create_app\nfrom marketplace.extensions import db\n" \
           "app = create_app()\nwith app.app_context():\n    db.create_all()\n"
    subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env(), check=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return "wrk"
    log("installing wrk from Debian (apt-get)")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing and could not be installed: apt-get install wrk")
    return "wrk"


def prepare_orders(conn):
    """Two SKU pairs (project, bare) with ORDER_STOCK units each, a buyer token, the counter row."""
    rows = conn.execute("SELECT k.id FROM skus k JOIN products p ON p.id = k.product_id JOIN certifications c "
                        "ON c.product_id = p.id AND c.status = 'approved' WHERE p.status = 'active' "
                        "AND k.min_order_qty = 1 ORDER BY k.id LIMIT 4").fetchall()
    skus = [r[0] for r in rows]
    conn.execute("UPDATE skus SET stock = %s WHERE id = ANY(%s)", (ORDER_STOCK, skus))
    year = datetime.now(UTC).year + (1 if datetime.now(UTC).month == 12 and datetime.now(UTC).day == 31 else 0)
    conn.execute("INSERT INTO order_number_counters (year, last_value) VALUES (%s, 0) ON CONFLICT DO NOTHING",
                 (year,))
    conn.commit()
    return skus[:2], skus[2:]


def buyer_token():
    code = ("from marketplace import create_app\nfrom marketplace.extensions import db\n"
            "from marketplace.accounts import tokens\nfrom marketplace.accounts.models import User\n"
            "from sqlalchemy import select\napp = create_app()\nwith app.app_context():\n"
            "    u = db.session.scalar(select(User).where(User.email == 'hospital@demo.cn'))\n"
            "    print(tokens.issue_pair(u)['access_token']); db.session.commit()\n")
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env(), check=True, capture_output=True,
                         text=True)
    return out.stdout.strip().splitlines()[-1]


def start_servers():
    common = ["-k", "sync", "-w", str(WORKERS), "--log-level", "warning"]
    project = subprocess.Popen([str(BIN / "gunicorn"), *common, "-b", f"127.0.0.1:{PROJECT_PORT}", "wsgi:app"],
                               cwd=ROOT, env=env(), start_new_session=True)
    bare = subprocess.Popen([str(BIN / "gunicorn"), *common, "-b", f"127.0.0.1:{BARE_PORT}", "bench.bare_app:app"],
                            cwd=ROOT, env=env(), start_new_session=True)
    for port in (PROJECT_PORT, BARE_PORT):
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/products?page_size=1", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
    return [project, bare]


def stop(processes):
    for proc in processes:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in processes:
        proc.wait(timeout=30)


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url, connections=8, script=None):
    cmd = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{SECONDS}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    lat = {p: float(v) * scale[u] for p, v, u in LATENCY.findall(out)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "non2xx": int(non2xx.group(1)) if non2xx else 0}


def order_script(path, token, skus):
    body = json.dumps({"lines": [{"sku_id": s, "quantity": 1} for s in skus],
                       "delivery": {"address": "压测仓库", "contact_name": "压测", "contact_phone": "13800000000",
                                    "requested_date": datetime.now(UTC).date().isoformat()},
                       "payment_method": "bank_transfer"})  # ASCII only: LuaJIT has no \u escapes
    Path(path).write_text(f'wrk.method = "POST"\nwrk.body = [[{body}]]\n'
                          f'wrk.headers["Content-Type"] = "application/json"\n'
                          f'wrk.headers["Authorization"] = "Bearer {token}"\n', encoding="utf-8")
    return path


def oversell(conn, skus):
    """Per SKU: stock now + units on orders not cancelled since the reset == ORDER_STOCK + units before."""
    bad = []
    for sku in skus:
        stock = conn.execute("SELECT stock FROM skus WHERE id = %s", (sku,)).fetchone()[0]
        sold = conn.execute("SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN orders o ON o.id = "
                            "l.order_id WHERE l.sku_id = %s AND o.status <> 'cancelled' AND o.placed_at >= %s",
                            (sku, STARTED)).fetchone()[0]
        if stock < 0 or stock + sold != ORDER_STOCK:
            bad.append(f"sku {sku}: stock {stock} + sold {sold} != {ORDER_STOCK}")
    return bad


def sales_report(conn, token):
    """The project's sales report over HTTP against the same GROUP BY in raw SQL (median of 5)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from reports_bench import RAW_SQL

    year = datetime.now(UTC).year
    lo, hi = datetime(year - 1, 12, 31, 16, tzinfo=UTC), datetime(year, 12, 31, 16, tzinfo=UTC)
    request = urllib.request.Request(f"http://127.0.0.1:{PROJECT_PORT}/api/v1/reports/sales?group_by=county,month"
                                     f"&year={year}", headers={"Authorization": f"Bearer {token}"})
    raw, app = [], []
    conn.execute(RAW_SQL, (lo, hi)).fetchall()
    urllib.request.urlopen(request, timeout=300).read()
    for _ in range(5):
        t = time.perf_counter()
        rows = conn.execute(RAW_SQL, (lo, hi)).fetchall()
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        body = json.loads(urllib.request.urlopen(request, timeout=300).read())
        app.append(time.perf_counter() - t)
    assert len(body["rows"]) == len(rows)
    lines = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    return statistics.median(app) * 1000, statistics.median(raw) * 1000, lines


def admin_token():
    code = ("from marketplace import create_app\nfrom marketplace.extensions import db\n"
            "from marketplace.accounts import tokens\nfrom marketplace.accounts.models import User\n"
            "from sqlalchemy import select\napp = create_app()\nwith app.app_context():\n"
            "    u = db.session.scalar(select(User).where(User.email == 'admin@demo.cn'))\n"
            "    print(tokens.issue_pair(u)['access_token']); db.session.commit()\n")
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env(), check=True, capture_output=True,
                         text=True)
    return out.stdout.strip().splitlines()[-1]


def other_bench(script, args, database):
    """Run a teammate's bench script on its own database; returns its output (or the failure)."""
    base = URL.rpartition("/")[0]
    ensure_database(f"{base}/{database}")
    cmd = [str(BIN / "python"), str(ROOT / "bench" / script), *args, "--database-url", f"{base}/{database}"]
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=900)
    return done.stdout + (f"\n(exit {done.returncode}) {done.stderr[-2000:]}" if done.returncode else "")


def ratio_line(name, ours, bare, unit, goal, higher_is_better=True):
    ratio = ours / bare if bare else float("nan")
    met = (ratio >= goal) if higher_is_better else (ratio <= goal)
    sign = "≥" if higher_is_better else "≤"
    mark = "✅" if met else "❌"
    return f"| {name} | {ours:,.1f} {unit} | {bare:,.1f} {unit} | {ratio:.2f}× | {sign} {goal}× {mark} |"


STARTED = datetime.now(UTC)


def main():
    started = time.monotonic()
    ensure_wrk()
    log(f"fresh database {URL}")
    fresh_database()
    flask("regions", "load")
    flask("seed", "demo")
    log(f"seed scale: {LINES} lines ≈ {int(LINES / 2.5)} orders, {HOUSEHOLDS} households")
    t = time.monotonic()
    flask("seed", "scale", "--orders", str(max(1, int(LINES / 2.5))), "--households", str(HOUSEHOLDS))
    scale_seconds = time.monotonic() - t
    with psycopg.connect(URL) as conn:
        conn.execute("ANALYZE")
        project_skus, bare_skus = prepare_orders(conn)
    token, admin = buyer_token(), admin_token()
    servers = start_servers()
    rows = []
    try:
        base = {"p": f"http://127.0.0.1:{PROJECT_PORT}", "b": f"http://127.0.0.1:{BARE_PORT}"}
        for label, path in (("GET /products page", "/api/v1/products?page=1&page_size=20"),
                            ("GET /products?q=茶", "/api/v1/products?q=%E8%8C%B6")):
            log(label)
            ours, bare = wrk(base["p"] + path), wrk(base["b"] + path)
            rows.append(ratio_line(label + " (req/s)", ours["rps"], bare["rps"], "req/s", 0.5))
        log("POST /orders (8 connections)")
        ours = wrk(base["p"] + "/api/v1/orders", script=order_script("/tmp/bench_order_p.lua", token, project_skus))
        bare = wrk(base["b"] + "/api/v1/orders", script=order_script("/tmp/bench_order_b.lua", token, bare_skus))
        rows.append(ratio_line("POST /orders (req/s)", ours["rps"], bare["rps"], "req/s", 0.5))
        rows.append(f"| POST /orders latency p50 / p99 | {ours['p50']:.1f} / {ours['p99']:.1f} ms | "
                    f"{bare['p50']:.1f} / {bare['p99']:.1f} ms | | p99 < 50 ms {'✅' if ours['p99'] < 50 else '❌'} |")
        with psycopg.connect(URL) as conn:
            problems = oversell(conn, project_skus + bare_skus)
            verdict = "0 oversold" if not problems else "; ".join(problems)
            rows.append(f"| oversell check ({ORDER_STOCK} units per SKU; non-2xx: {ours['non2xx']} / "
                        f"{bare['non2xx']}) | {verdict} | | | 0 {'✅' if not problems else '❌'} |")
            log("sales report over the scale data")
            app_ms, raw_ms, n_lines = sales_report(conn, admin)
            rows.append(ratio_line(f"sales report county,month ({n_lines:,} lines) (ms, lower is better)",
                                   app_ms, raw_ms, "ms", 1.5, higher_is_better=False))
    finally:
        stop(servers)
    log("bench/reports_bench.py")
    reports_out = other_bench("reports_bench.py", ["--lines", str(REPORT_LINES), "--export-rows", "200000",
                                                   "--repeat", "3"], "mk_bench_reports")
    log("bench/attribution_bench.py")
    attribution_out = other_bench("attribution_bench.py", ["--lines", str(ATTRIBUTION_LINES)], "mk_bench_attribution")
    write_results(rows, scale_seconds, reports_out, attribution_out, time.monotonic() - started)


def write_results(rows, scale_seconds, reports_out, attribution_out, elapsed):
    head = ["| measure | project | bare baseline | ratio | goal |", "|---|---|---|---|---|"]
    text = "\n".join([
        f"# make bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
        f"{os.cpu_count()} cores, gunicorn sync workers = {WORKERS}, wrk -c 8 for {SECONDS} s per measure, "
        f"PostgreSQL {URL.rpartition('/')[2]}; load average at the end {os.getloadavg()[0]:.1f} "
        "(a shared machine: ratios hold better than absolute figures).",
        f"Data: demo + `seed scale` of ≈{LINES:,} order lines, {HOUSEHOLDS:,} households, generated in "
        f"{scale_seconds:.0f} s. Whole run {elapsed / 60:.1f} min.", "", *head, *rows, "",
        f"## bench/reports_bench.py (--lines {REPORT_LINES}; sales report vs raw SQL, CSV export peak RSS)", "",
        "```", reports_out.strip(), "```", "",
        f"## bench/attribution_bench.py (--lines {ATTRIBUTION_LINES}; postings/s vs COPY)", "",
        "```", attribution_out.strip(), "```", ""])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
