"""``flask households import FILE`` and ``flask households rotate-keys``."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.extensions import db

cli = AppGroup("households", help="The household registry.")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(file):
    """Import households from a UTF-8 CSV (header: village_code,head_name,id_number,registry_no,members,
    status,lifted_year,baseline_income_per_capita_fen). All rows or none; errors name the CSV line."""
    from marketplace.households.importing import ImportFailed, import_households

    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        click.echo("error: the file is not UTF-8 text; nothing imported", err=True)
        raise SystemExit(1) from None
    try:
        count = import_households(text)
    except ImportFailed as exc:
        db.session.rollback()
        for line, field, message in exc.errors:
            click.echo(f"line {line}: {field}: {message}", err=True)
        click.echo(f"{len(exc.errors)} error(s); nothing imported", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"imported {count} households")


@cli.command("rotate-keys")
def rotate_keys_command():
    """Re-encrypt every household under the newest HOUSEHOLD_ID_KEY and recompute look-up hashes
    (run after putting a new key first; then the old key can be dropped)."""
    from marketplace.households import protection
    from marketplace.households.models import Household

    count = 0
    for household in db.session.scalars(select(Household).order_by(Household.id)):
        protection.rotate(household)
        count += 1
    db.session.commit()
    click.echo(f"rotated {count} households")
