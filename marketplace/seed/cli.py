"""`flask seed demo` and `flask seed scale` (the `seed` group, registered by marketplace/cli.py)."""
import time

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.extensions import db

cli = AppGroup("seed", help="Demo and benchmark data.")


@cli.command("demo")
def demo_command():
    """Load the demo regions, organizations, households, catalog and orders (idempotent)."""
    from marketplace.certification.services import today_local
    from marketplace.seed.demo import DEMO_PASSWORD, run
    from marketplace.seed.demo_data import SHOWCASE_VILLAGE, SOURCES
    from marketplace.seed.evidence import evidence_key

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    logins = run(base)
    db.session.commit()
    today = today_local()
    click.echo(f"demo data ready ({today.year}). Logins (password {DEMO_PASSWORD}):")
    for email, role in logins:
        click.echo(f"  {role:17} {email}")
    click.echo(f"  API:        {base}/api/v1/products")
    click.echo(f"  API docs:   {base}/api/v1/docs")
    click.echo(f"  disclosure: {base}/api/v1/public/disclosures/{SHOWCASE_VILLAGE}  (大榆村, no login)")
    click.echo(f"  evidence:   {base}/api/v1/files/{evidence_key('tea')}  (generated PDF, one per product)")
    click.echo("Where the demo comes from:")
    click.echo(f"  sales: {today.year - 1}-{today.year}: dated by season over the twelve months to {today}")
    config = current_app.config
    click.echo(f"  monitoring line: {config['MONITORING_LINE_YEAR']}: {config['MONITORING_LINE_FEN'] // 100} yuan, "
               f"{config['MONITORING_LINE_SOURCE']} (MONITORING_LINE_FEN)")
    for subject, period, source in SOURCES:
        click.echo(f"  {subject}: {period}: {source}")


@cli.command("scale")
@click.option("--orders", "n_orders", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--households", "n_households", type=click.IntRange(1), default=2_000, show_default=True)
@click.option("--lines-per-order", type=click.FloatRange(1, 20), default=2.5, show_default=True,
              help="Average lines per order (1 to 5 lines each).")
@click.option("--seed", "random_seed", type=int, default=20260101, show_default=True)
@click.option("--batch", type=click.IntRange(1), default=20_000, show_default=True,
              help="Orders per transaction.")
def scale_command(n_orders, n_households, lines_per_order, random_seed, batch):
    """Bulk-generate orders, payments and balanced ledger postings for benchmarks (COPY on PostgreSQL)."""
    from marketplace.seed.scale import generate

    started = time.monotonic()
    counts = generate(orders=n_orders, households=n_households, lines_per_order=lines_per_order,
                      seed=random_seed, batch=batch, progress=click.echo)
    elapsed = time.monotonic() - started
    click.echo(f"scale data ready in {elapsed:.1f} s: "
               + ", ".join(f"{k} {v}" for k, v in counts.items()))
