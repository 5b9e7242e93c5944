"""Command-line entry points (thin: they call services and commit)."""
import click
from flask.cli import AppGroup

from marketplace.extensions import db

regions_cli = AppGroup("regions", help="Administrative regions.")
users_cli = AppGroup("users", help="User accounts.")


@regions_cli.command("load")
@click.option("--data-dir", default=None, help="Folder with provinces/cities/areas/streets CSVs.")
def load_regions_command(data_dir):
    """Load provinces, cities, counties and townships (idempotent)."""
    from marketplace.geography.services import DATA_DIR, load_regions

    added = load_regions(data_dir or DATA_DIR)
    db.session.commit()
    click.echo(f"regions loaded: {added} new")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--region-scope", default="", help="Region code prefix ('' = national).")
def create_admin_command(email, password, name, region_scope):
    """Create an admin user."""
    from marketplace.accounts.services import new_user
    from marketplace.core.errors import ApiError
    from marketplace.geography.codes import is_valid_code

    if region_scope and not is_valid_code(region_scope):
        raise click.BadParameter("a region code of 2, 4, 6, 9 or 12 digits", param_hint="--region-scope")
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    try:
        user = new_user(email=email, password=password, name=name, role="admin", region_scope=region_scope)
    except ApiError as exc:
        raise click.ClickException(exc.detail) from None
    db.session.commit()
    click.echo(f"admin {user.email} created (id {user.id}, scope '{region_scope}')")


#: Domains that may ship a `cli.py` exposing an AppGroup named `cli`.
DOMAIN_CLIS = ("households", "orders", "ledger", "seed", "outbox")


def register_cli(app):
    import importlib
    import importlib.util

    for group in (regions_cli, users_cli):
        app.cli.add_command(group)
    for name in DOMAIN_CLIS:
        if importlib.util.find_spec(f"marketplace.{name}.cli") is not None:
            app.cli.add_command(importlib.import_module(f"marketplace.{name}.cli").cli)
