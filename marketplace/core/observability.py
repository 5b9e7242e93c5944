"""Structured JSON logs with a request id; nothing personal or secret goes in."""
import logging
import re
import sys
import time
import uuid

import structlog
from flask import g, request

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: Keys never logged, whatever a caller passes.
SECRET_KEYS = {"password", "token", "access_token", "refresh_token", "authorization", "id_number",
               "head_name", "name", "client_secret", "secret"}


def _drop_secrets(logger, method, event):
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = "[redacted]"
    return event


def configure_logging(app):
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level, force=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )
    log = structlog.get_logger("marketplace.request")

    @app.before_request
    def bind_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.teardown_request
    def unbind_request_id(exc):
        # The thread lives on: work outside a request (CLI, jobs) must not inherit this id.
        structlog.contextvars.clear_contextvars()

    @app.after_request
    def log_and_echo(response):
        # create_app registers this first, so it runs after every other after_request hook.
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        started = getattr(g, "request_started", None)
        # The path is logged without its query string: searches may carry names.
        log.info("request", method=request.method, path=request.path, status=response.status_code,
                 ms=round((time.perf_counter() - started) * 1000, 1) if started else None)
        return response


def request_id():
    return getattr(g, "request_id", None)
