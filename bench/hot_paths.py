"""The two HTTP hot paths of issue 8, project vs bare baseline, on PostgreSQL (pieces of bench/run.py).

    BENCH_LINES=20000 .venv/bin/python bench/hot_paths.py            # fresh database, then measure
    .venv/bin/python bench/hot_paths.py --reuse                      # same database, stock reset, measure
    .venv/bin/python bench/hot_paths.py --reuse --repeat 5           # median of 5 rounds (default 3)

Measures GET /api/v1/products?page=1&page_size=20 (8 connections) and POST /api/v1/orders
(8 connections, one bank-transfer order of two SKUs per request), gunicorn sync workers = cores
for wsgi:app and bench/bare_app.py against the same database; prints one table row per measure
and checks afterwards that no SKU was oversold. BENCH_DATABASE_URL defaults to mk_bench_hot.
"""
import argparse
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mk_bench_hot")
os.environ.setdefault("BENCH_LINES", "20000")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
import run  # noqa: E402  (bench/run.py: fresh_database, servers, wrk)

PRODUCTS = "/api/v1/products?page=1&page_size=20"
run.ORDER_STOCK = 100_000  # several rounds of orders must never run out (the oversell check uses it too)


def setup():
    run.log(f"fresh database {run.URL}")
    run.fresh_database()
    run.flask("regions", "load")
    run.flask("seed", "demo")
    run.log(f"seed scale: {run.LINES} lines, {run.HOUSEHOLDS} households")
    run.flask("seed", "scale", "--orders", str(max(1, int(run.LINES / 2.5))), "--households", str(run.HOUSEHOLDS))
    with psycopg.connect(run.URL) as conn:
        conn.execute("ANALYZE")


def interleaved(repeat, project, bare):
    """Project and bare rounds alternate (p, b, p, b...), so a load spike on the shared machine
    hits both; returns the medians (project, bare)."""
    runs = {"p": [], "b": []}
    for _ in range(repeat):
        runs["p"].append(project())
        runs["b"].append(bare())
    return median_of(runs["p"]), median_of(runs["b"])


def median_of(runs):
    return {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p99")} | {
        "non2xx": sum(r["non2xx"] for r in runs)}


def measure(repeat):
    with psycopg.connect(run.URL) as conn:
        project_skus, bare_skus = run.prepare_orders(conn)
    token = run.buyer_token()
    servers = run.start_servers()
    base = {"p": f"http://127.0.0.1:{run.PROJECT_PORT}", "b": f"http://127.0.0.1:{run.BARE_PORT}"}
    results = {}
    try:
        run.log("GET /products page (8 connections)")
        results["products"] = interleaved(repeat, lambda: run.wrk(base["p"] + PRODUCTS),
                                          lambda: run.wrk(base["b"] + PRODUCTS))
        run.log("POST /orders (8 connections)")
        scripts = {"p": run.order_script("/tmp/hot_order_p.lua", token, project_skus),
                   "b": run.order_script("/tmp/hot_order_b.lua", token, bare_skus)}
        results["orders"] = interleaved(repeat, lambda: run.wrk(base["p"] + "/api/v1/orders", script=scripts["p"]),
                                        lambda: run.wrk(base["b"] + "/api/v1/orders", script=scripts["b"]))
    finally:
        run.stop(servers)
    with psycopg.connect(run.URL) as conn:
        problems = run.oversell(conn, project_skus + bare_skus)
    return results, problems


def table(results, problems):
    (pp, pb), (op, ob) = results["products"], results["orders"]
    rows = ["| measure | project | bare | ratio | goal |", "|---|---|---|---|---|",
            f"| GET /products page | {pp['rps']:.1f} req/s (p50 {pp['p50']:.1f} / p99 {pp['p99']:.1f} ms) | "
            f"{pb['rps']:.1f} req/s (p50 {pb['p50']:.1f} / p99 {pb['p99']:.1f} ms) | {pp['rps'] / pb['rps']:.2f}× "
            f"| ≥ 0.5× {'✅' if pp['rps'] / pb['rps'] >= 0.5 else '❌'} |",
            f"| POST /orders | {op['rps']:.1f} req/s | {ob['rps']:.1f} req/s | {op['rps'] / ob['rps']:.2f}× | "
            f"≥ 0.5× {'✅' if op['rps'] / ob['rps'] >= 0.5 else '❌'} |",
            f"| POST /orders p50 / p99 | {op['p50']:.1f} / {op['p99']:.1f} ms | {ob['p50']:.1f} / {ob['p99']:.1f} ms "
            f"| | p99 < 50 ms {'✅' if op['p99'] < 50 else '❌'} |",
            f"| oversell (non-2xx {op['non2xx']} / {ob['non2xx']}) | {'; '.join(problems) or '0 oversold'} | | | |"]
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database (skip the seeding)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="wrk rounds per measure, project and bare alternating (median)")
    args = parser.parse_args()
    run.ensure_wrk()
    if not args.reuse:
        setup()
    load = os.getloadavg()[0]
    results, problems = measure(args.repeat)
    print(f"\n{os.cpu_count()} cores, {run.WORKERS} sync workers each, wrk -c 8 for {run.SECONDS} s, "
          f"median of {args.repeat}; load average {load:.1f} → {os.getloadavg()[0]:.1f}\n")
    print(table(results, problems))


if __name__ == "__main__":
    main()
