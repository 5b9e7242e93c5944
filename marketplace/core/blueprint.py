"""The project Blueprint: flask-smorest's, plus what every route of every domain shares.

- ``ARGUMENTS_PARSER``: the strict JSON body parser (``core.body.JsonBodyParser``), as a class
  attribute: nothing is patched at import time. A query string with a parameter the operation does
  not declare is 422 naming it (``QueryStrictParser``), not silently ignored.
- One commit per request, around the view (``commit_around``): the view runs, then its
  transaction is committed, then its response is returned. A view that raises, or answers an
  error status, is rolled back. A failed commit raises 409 (IntegrityError) or 503 (other
  DBAPIError) and the normal error handlers answer it: the view's response is discarded.
- After-commit callbacks (``register_after_commit``): run once a request's transaction is
  committed, still inside the request (the outbox sends the calls to Stripe the request wrote).
- ``idempotent(scope)``: Idempotency-Key replay for a POST, as a decorator.
- ``respond_after_commit(schema, load)``: the response is built from the row as it stands after
  the commit and the after-commit callbacks (e.g. with the PaymentIntent's client secret).
- ``created(view, **params)``: a 201 says where the created object is read (``Location``).
- The contract (``core.openapi``): every operation's ``operationId`` is its view function's name
  (``verb_noun``), and its error responses are declared (404 with a path parameter, 409 on a
  write, what ``declare_errors``/``require_roles`` add).

The key table lives in a domain (``core`` imports none): its two functions are plugged in at app
creation with ``set_idempotency_store``, as the token lookup is with ``core.auth.set_user_loader``.
"""
from functools import wraps

import flask_smorest
import structlog
from flask import current_app, jsonify, request, url_for
from marshmallow import RAISE
from sqlalchemy.exc import DBAPIError, IntegrityError

from marketplace.core.auth import current_user, optional_user
from marketplace.core.body import JsonBodyParser
from marketplace.core.errors import Conflict, ServiceUnavailable
from marketplace.core.openapi import LOCATION_HEADER, complete_operation
from marketplace.extensions import db

log = structlog.get_logger("marketplace.http")

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_DOC = {"in": "header", "name": IDEMPOTENCY_HEADER, "required": False, "schema": {"type": "string"},
                   "description": "Same key and same body replays the first response (status and body); "
                                  "the same key with another body is 422."}
_key_store = {"claim": None, "save": None}


def set_idempotency_store(claim, save):
    """``claim(scope=, key=, payload=)`` -> an object whose ``replay`` is ``(status, body)`` of the
    first response, or None when this request owns the key; ``save(claim, status, body)``."""
    _key_store["claim"], _key_store["save"] = claim, save


def register_after_commit(app, callback):
    """Run ``callback()`` after each successful commit of a request's transaction (in order of
    registration). It runs outside that transaction: it commits its own work, if any."""
    app.extensions.setdefault("after_commit", []).append(callback)


def run_after_commit():
    for callback in current_app.extensions.get("after_commit", ()):
        callback()


def commit():
    """Commit the request's transaction, then run the after-commit callbacks; a failed commit is
    rolled back and raised as 409 or 503 (and no callback runs)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("commit_conflict")
        raise Conflict("the change conflicts with existing data; nothing was saved") from None
    except DBAPIError as exc:
        db.session.rollback()
        log.error("commit_failed", error_type=type(exc.orig).__name__)
        raise ServiceUnavailable("the database could not save the change; retry") from None
    run_after_commit()


def commit_around(view):
    """Run ``view``, then commit (or roll back an error), then hand its response to Flask.

    A streamed body (reports) runs after the commit: it only reads, in a new transaction.
    """

    @wraps(view)
    def transactional(*args, **kwargs):
        try:
            response = current_app.make_response(current_app.ensure_sync(view)(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code >= 400:
            db.session.rollback()
        else:
            commit()
        return response

    return transactional


class QueryStrictParser(JsonBodyParser):
    """Unknown query parameters raise (marshmallow ``RAISE``): a typo is an error, not a default."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**JsonBodyParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}


class Blueprint(flask_smorest.Blueprint):
    """Every domain's ``bp``: strict JSON bodies, a commit around each view, Idempotency-Key replay."""

    ARGUMENTS_PARSER = QueryStrictParser()

    def add_url_rule(self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **options):
        if view_func is not None and not isinstance(view_func, type):  # a MethodView class is not used here
            view_func = commit_around(view_func)
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        for method, doc in self._docs[self._endpoints[-1]].items():
            if method != "parameters":
                complete_operation(doc, method=method, rule=rule, operation_id=view_func.__name__)

    def created(self, view, **params):
        """``Location`` on a 201 (a replayed one too): the URL of ``view`` of this blueprint, its
        path parameters taken from the body (``order_id="id"``). Place it right under the route."""

        def decorator(fn):
            @wraps(fn)
            def wrapper(*args, **kwargs):
                response = current_app.make_response(fn(*args, **kwargs))
                if response.status_code == 201:
                    body = response.get_json()
                    response.headers["Location"] = url_for(
                        f"{self.name}.{view}", **{name: body[key] for name, key in params.items()})
                return response

            return self.doc(responses={201: {"headers": LOCATION_HEADER}})(wrapper)

        return decorator

    def idempotent(self, scope):
        """Idempotency-Key replay; place it under ``@bp.arguments`` and above ``@bp.response``.

        Without the header the view simply runs. With it, the key is claimed in
        ``scope(current_user(), **path_args)`` (a string; keys of other scopes never meet) before
        the view runs: a repeat with the same JSON body answers the first response's status and
        body without running the view; the same key with another body is 422 naming the header.
        The key and the response are stored in the view's transaction, so a failed request
        stores nothing and its retry runs afresh.
        """

        def decorator(view):
            @wraps(view)
            def wrapper(*args, **kwargs):
                key = request.headers.get(IDEMPOTENCY_HEADER)
                if key is None:
                    return view(*args, **kwargs)
                claim = _key_store["claim"](scope=scope(current_user(), **kwargs), key=key,
                                            payload=request.get_json(silent=True) or {})
                if claim.replay:
                    return jsonify(claim.replay[1]), claim.replay[0]
                response = view(*args, **kwargs)
                _key_store["save"](claim, response.status_code, response.get_json())
                return response

            return self.doc(parameters=[IDEMPOTENCY_DOC])(wrapper)

        return decorator

    def respond_after_commit(self, schema, load, touch=None):
        """Answer the row as it stands after the commit; place it above ``@bp.idempotent``.

        The view (or the idempotent replay) answers JSON naming the row's ``id``. Then ``touch(id)``
        (optional) runs in the same transaction (e.g. a replay makes its pending outbox message due
        again), the transaction is committed, the after-commit callbacks run, and the response is
        ``schema`` dumping ``load(optional_user(), id)`` with the view's status. An error raised by
        ``load`` (e.g. 503: Stripe not reached yet) keeps what was committed: the retry replays.
        """

        def decorator(view):
            @wraps(view)
            def wrapper(*args, **kwargs):
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code >= 400:
                    return response
                row_id = response.get_json()["id"]
                if touch is not None:
                    touch(row_id)
                commit()
                return jsonify(schema.dump(load(optional_user(), row_id))), response.status_code

            return wrapper

        return decorator
