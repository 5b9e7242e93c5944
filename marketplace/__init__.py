"""The application factory: the only place an app is built."""
import importlib
import os

from flask import Flask

from config import CONFIGS, ProductionConfig
from marketplace.core.converters import register_converters
from marketplace.core.errors import ErrorSchema

BLUEPRINTS = ("accounts", "geography", "organizations", "audit", "households", "certification", "catalog",
              "orders", "payments", "ledger", "reports", "public", "files")
#: Every models module, imported at start-up so metadata (and migrations) see all tables.
MODEL_MODULES = ("accounts", "geography", "organizations", "audit", "households", "certification", "catalog",
                 "orders", "payments", "ledger", "outbox")


def _load_config(app, config):
    if config is None:
        config = os.environ.get("APP_ENV", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["testing"])
        app.config.update(config)
    else:
        if config is ProductionConfig or (isinstance(config, type) and issubclass(config, ProductionConfig)):
            config.check_environment()
        app.config.from_object(config)


def register_extensions(app):
    from marketplace.extensions import api, compress, db, limiter, migrate

    db.init_app(app)
    compress.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    limiter.init_app(app)
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"}}}})


def import_models():
    for name in MODEL_MODULES:
        importlib.import_module(f"marketplace.{name}.models")


def register_blueprints(app):
    from marketplace.extensions import api
    importlib.import_module("marketplace.health.api")
    from marketplace.health import bp as health_bp

    api.register_blueprint(health_bp)
    for name in BLUEPRINTS:
        importlib.import_module(f"marketplace.{name}.api")
        module = importlib.import_module(f"marketplace.{name}")
        api.register_blueprint(module.bp, url_prefix="/api/v1")


def register_auth(app):
    from marketplace.accounts.tokens import load_user
    from marketplace.core.auth import set_user_loader
    from marketplace.core.blueprint import set_idempotency_store
    from marketplace.orders.services import claim_idempotency_key, store_idempotent_response

    set_user_loader(load_user)
    set_idempotency_store(claim_idempotency_key, store_idempotent_response)


def register_outbox(app):
    """Domains register their outbox handlers; the outbox sends a request's messages after its commit."""
    from marketplace.core.blueprint import register_after_commit
    from marketplace.outbox.dispatch import dispatch_after_commit, register_handlers
    from marketplace.payments.outbox_handlers import HANDLERS

    register_handlers(HANDLERS)
    register_after_commit(app, dispatch_after_commit)


def check_household_key(app):
    from marketplace.households.protection import install_cipher

    install_cipher(app)


def register_security_headers(app):
    @app.after_request
    def headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["Server"] = "marketplace"
        return response


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=False)
    register_converters(app)
    _load_config(app, config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    from marketplace.cli import register_cli
    from marketplace.core.cors import register_cors
    from marketplace.core.errors import register_error_handlers
    from marketplace.core.observability import configure_logging
    from marketplace.core.text import register_input_guard

    # First: its before_request runs before any other hook and its after_request after every
    # other one (Flask runs those in reverse order), so each answer is logged as sent, with its id.
    configure_logging(app)
    register_input_guard(app)
    import_models()
    register_extensions(app)
    register_blueprints(app)
    register_auth(app)
    check_household_key(app)
    register_error_handlers(app)
    register_outbox(app)
    register_security_headers(app)
    register_cors(app)
    register_cli(app)
    return app
