"""Factory fixtures: callables with sensible defaults that commit what they make."""
import itertools

import pytest

from marketplace.accounts import tokens
from marketplace.accounts.services import new_user
from marketplace.geography.models import LEVEL_BY_LENGTH, Region
from marketplace.geography.services import parent_of
from marketplace.organizations.models import Organization
from marketplace.organizations.uscc import uscc_check_char

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)

# 四川省 达州市 万源市 (a former poverty county) down to a demo village.
DEFAULT_VILLAGE = "511781101001"
NAMES = {2: "四川省", 4: "达州市", 6: "万源市", 9: "太平镇", 12: "石塘村"}


def make_uscc(n):
    body = f"9151178{n:010d}"
    return body + uscc_check_char(body)


@pytest.fixture
def make_region(db):
    def make(code=DEFAULT_VILLAGE, name=None, **flags):
        chain = []
        c = code
        while c is not None:
            chain.append(c)
            c = parent_of(c)
        for c in reversed(chain):
            if db.session.get(Region, c) is None:
                db.session.add(Region(code=c, name=name if c == code and name else NAMES.get(len(c), c),
                                      level=LEVEL_BY_LENGTH[len(c)], parent_code=parent_of(c),
                                      poverty_county=len(c) == 6, poverty_village=len(c) == 12))
                db.session.flush()
        region = db.session.get(Region, code)
        for key, value in flags.items():
            setattr(region, key, value)
        db.session.commit()
        return region
    return make


@pytest.fixture
def make_org(db, make_region):
    def make(kind="cooperative", status="verified", region_code=None, name=None, **fields):
        n = next(_seq)
        region_code = region_code or (DEFAULT_VILLAGE if kind == "collective" else DEFAULT_VILLAGE[:6])
        make_region(region_code)
        org = Organization(kind=kind, name=name or f"{kind}-{n}", uscc=make_uscc(n), region_code=region_code,
                           contact_name="联系人", contact_phone="13800000000", status=status, **fields)
        db.session.add(org)
        db.session.commit()
        return org
    return make


@pytest.fixture
def make_user(db):
    def make(role="admin", org=None, region_scope="", email=None, password=PASSWORD):
        n = next(_seq)
        user = new_user(email=email or f"{role}{n}@example.cn", password=password, name=f"用户{n}", role=role,
                        organization=org, region_scope=region_scope)
        db.session.commit()
        return user
    return make


@pytest.fixture
def token_for(db):
    def make(user):
        pair = tokens.issue_pair(user)
        db.session.commit()
        return pair["access_token"]
    return make


class Api:
    """The test client with JSON and a bearer token per call."""

    def __init__(self, client, token_for):
        self.client = client
        self.token_for = token_for
        self._tokens = {}

    def _headers(self, user, headers):
        headers = dict(headers or {})
        if user is not None:
            if user.id not in self._tokens:
                self._tokens[user.id] = self.token_for(user)
            headers["Authorization"] = f"Bearer {self._tokens[user.id]}"
        return headers

    def request(self, method, path, user=None, json=None, headers=None, **kwargs):
        url = path if path.startswith("/healthz") or path.startswith("/readyz") else "/api/v1" + path
        return self.client.open(url, method=method, json=json, headers=self._headers(user, headers), **kwargs)

    def get(self, path, user=None, **kw):
        return self.request("GET", path, user, **kw)

    def post(self, path, user=None, json=None, **kw):
        return self.request("POST", path, user, json=json, **kw)

    def patch(self, path, user=None, json=None, **kw):
        return self.request("PATCH", path, user, json=json, **kw)

    def put(self, path, user=None, json=None, **kw):
        return self.request("PUT", path, user, json=json, **kw)

    def delete(self, path, user=None, **kw):
        return self.request("DELETE", path, user, **kw)


@pytest.fixture
def api(client, token_for):
    return Api(client, token_for)
