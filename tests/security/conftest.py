"""The security suite's world: the demo data (`flask seed demo`) loaded once per module into its own
database, and bearer tokens for one user of every role (plus a region-scoped admin and users of
other organizations for the foreign side of the matrix)."""
import pytest
from sqlalchemy import select

from marketplace import create_app
from marketplace.accounts import tokens
from marketplace.accounts.models import User
from marketplace.extensions import db as _db
from marketplace.geography.models import LEVEL_BY_LENGTH, Region
from marketplace.geography.services import parent_of
from marketplace.seed import demo_data
from tests.conftest import PG_URL, _reset_postgres

#: The real region codes the demo needs (loaded alone, not the whole national file).
NEEDED_REGIONS = ("511702",) + tuple(demo_data.COUNTIES) + tuple({code[:9] for code in demo_data.VILLAGES})

#: Who plays each role (demo logins). "anonymous" sends no token.
ROLE_USERS = {
    "admin": "admin@demo.cn",
    "auditor": "auditor@demo.cn",
    "supplier_manager": "tea@demo.cn",
    "buyer_purchaser": "canteen-buyer@demo.cn",
    "buyer_approver": "canteen@demo.cn",
}
#: The other side: a county admin (万源市 511781), another supplier and another buyer organization.
OTHER_USERS = {
    "scoped_admin": "wanyuan-admin@demo.cn",
    "far_scoped_admin": "dongliao-admin@demo.cn",
    "other_supplier": "woodear@demo.cn",
    "other_buyer": "school@demo.cn",
}
ROLES = (*ROLE_USERS, "anonymous")


def load_regions(codes):
    for code in codes:
        chain, c = [], code
        while c is not None:
            chain.append(c)
            c = parent_of(c)
        for c in reversed(chain):
            if _db.session.get(Region, c) is None:
                _db.session.add(Region(code=c, name=f"地区{c}", level=LEVEL_BY_LENGTH[len(c)], parent_code=parent_of(c),
                                       poverty_county=len(c) == 6, poverty_village=len(c) == 12))
                _db.session.flush()
    _db.session.commit()


class World:
    def __init__(self, app, seed_output):
        self.app = app
        self.seed_output = seed_output
        self.tokens = {}
        self.users = {}

    def token(self, who):
        """A fresh-enough access token for a demo login key (role or OTHER_USERS key)."""
        if who not in self.tokens:
            email = ROLE_USERS.get(who) or OTHER_USERS[who]
            with self.app.app_context():
                user = _db.session.scalar(select(User).where(User.email == email))
                self.tokens[who] = tokens.issue_pair(user)["access_token"]
                self.users[who] = {"id": user.id, "organization_id": user.organization_id,
                                   "region_scope": user.region_scope}
                _db.session.commit()
        return self.tokens[who]

    def headers(self, who):
        return {} if who == "anonymous" else {"Authorization": f"Bearer {self.token(who)}"}

    def user(self, who):
        self.token(who)
        return self.users[who]


def build_demo_app(url, **config):
    """An app on ``url`` (a fresh schema) with the demo loaded through `flask seed demo`; returns (app, output)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, **config})
    if PG_URL:
        _reset_postgres(app)
    with app.app_context():
        if not PG_URL:
            _db.create_all()
        load_regions(NEEDED_REGIONS)
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
        _db.session.remove()
    return app, result.output


def dispose(app):
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory):
    app, output = build_demo_app(PG_URL or f"sqlite:///{tmp_path_factory.mktemp('security') / 'demo.db'}")
    yield World(app, output)
    dispose(app)


# --- schemathesis -------------------------------------------------------------------------------------------

FUZZ_SEED = 20261123
MAX_EXAMPLES = 5
CHECKS = ("not_a_server_error", "response_schema_conformance", "negative_data_rejection", "ignored_auth",
          "unsupported_method")
#: Left out of the fuzzing for every role that has a token: logout revokes the token the rest of the run
#: uses (it is fuzzed anonymously, and its behaviour is covered by tests/accounts).
TOKEN_KILLERS = ("/api/v1/auth/logout",)
#: A webhook body is only accepted with a valid Stripe-Signature over the exact bytes; generated bodies
#: can never carry one, so any "accepted" negative body would be the signature check failing open, which
#: test_stripe_webhooks covers. negative_data_rejection is meaningless there (schema: 200 only).
NO_NEGATIVE_CHECK = ("/api/v1/webhooks/stripe",)


def _patch_wsgi_probe_kwargs(monkeypatch):
    """schemathesis 4.32 sends ignored_auth probes to a WSGI app with requests-only kwargs
    (max_redirects, verify, ...) that werkzeug's EnvironBuilder rejects (TypeError: every probe would
    error and the check silently not run). Drop them, as the transport already does for sessions."""
    from schemathesis.transport import wsgi

    original = wsgi.WSGITransport.send

    def send(self, case, *, session=None, **kwargs):
        import requests

        if not isinstance(session, requests.Session):
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(wsgi.WSGITransport, "send", send)


def run_schemathesis(world, role, coverage):
    """Run schemathesis' engine over the whole document as ``role``; returns (stats, failures, errors)."""
    import schemathesis
    from schemathesis.engine import events, from_schema

    operations = [{"include-path": path, "checks": {"negative_data_rejection": {"enabled": False}}}
                  for path in NO_NEGATIVE_CHECK]
    if role != "anonymous":
        operations += [{"include-path": path, "enabled": False} for path in TOKEN_KILLERS]
    config = schemathesis.Config.from_dict({
        "seed": FUZZ_SEED, "workers": 1,
        # The WSGI transport does not undo Content-Encoding (a real HTTP client does): ask for none.
        "headers": {**world.headers(role), "Accept-Encoding": "identity"},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True, "mode": "all",
                       "database": "none"},
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False},
                   "coverage": {"enabled": coverage, "unexpected-methods": ["PUT", "PATCH", "DELETE", "TRACE"]},
                   "fuzzing": {"enabled": True}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "operations": operations,
    })
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app, config=config)
    stats = {"operations": set(), "cases": 0, "statuses": {}}
    failures, errors = [], []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            if recorder.cases:
                stats["operations"].add(event.label)
            stats["cases"] += len(recorder.cases)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    code = interaction.response.status_code
                    stats["statuses"][code] = stats["statuses"].get(code, 0) + 1
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status.value == "failure":
                        node = recorder.cases.get(case_id)
                        case = node.value if node else None
                        failure = check.failure_info.failure if check.failure_info else None
                        failures.append({
                            "operation": event.label, "check": check.name,
                            "title": getattr(failure, "title", ""), "message": getattr(failure, "message", "")[:600],
                            "request": case.as_curl_command() if case is not None else None})
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)!r}"[:400])
    return stats, failures, errors


@pytest.fixture
def fuzz(demo_world, monkeypatch):
    _patch_wsgi_probe_kwargs(monkeypatch)

    def run(role, coverage=False):
        return run_schemathesis(demo_world, role, coverage)
    return run
