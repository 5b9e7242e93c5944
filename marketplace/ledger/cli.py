"""`flask ledger check`: verify every ledger invariant on the live database."""
import sys

import click
from flask.cli import AppGroup

from marketplace.ledger import services

cli = AppGroup("ledger", help="The double-entry ledger.")


@cli.command("check")
def check_command():
    """Print every ledger breach and exit 1 if there is any; else 'ledger ok: N entries, M postings'."""
    breaches = services.check_ledger()
    if breaches:
        for breach in breaches:
            click.echo(f"BREACH {breach}", err=True)
        click.echo(f"ledger check failed: {len(breaches)} breach(es)", err=True)
        sys.exit(1)
    entries, postings = services.ledger_counts()
    click.echo(f"ledger ok: {entries} entries, {postings} postings")
