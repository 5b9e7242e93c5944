"""`flask outbox run`: send the due outbox messages, retrying with exponential backoff."""
import time

import click
from flask.cli import AppGroup

from marketplace.outbox import dispatch

cli = AppGroup("outbox", help="Calls to Stripe waiting to be sent.")


@cli.command("run")
@click.option("--loop", is_flag=True, help="Keep polling instead of exiting when nothing is due.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls with --loop.")
def run_command(loop, interval):
    """Drain the due messages (each in its own transactions); with --loop, forever."""
    total = 0
    while True:
        tried = dispatch.run_due()
        total += tried
        if tried:
            continue
        if not loop:
            break
        time.sleep(interval)
    click.echo(f"outbox: {total} message(s) tried")
