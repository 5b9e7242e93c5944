"""Region codes (行政区划代码): the level is the length, the hierarchy is the prefix.

    province 2 digits · city 4 · county 6 · township 9 · village 12

``51`` 四川省 ⊃ ``5117`` 达州市 ⊃ ``511781`` 万源市 ⊃ ``511781101`` ⊃ ``511781101001``.
Pure functions on strings; no database.
"""

LEVELS = ("province", "city", "county", "township", "village")
LENGTH_BY_LEVEL = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_BY_LENGTH = {length: level for level, length in LENGTH_BY_LEVEL.items()}
LENGTHS = tuple(LEVEL_BY_LENGTH)
COUNTY_LENGTH = LENGTH_BY_LEVEL["county"]
_ANY_LEVEL = "|".join(f"[0-9]{{{length}}}" for length in LENGTHS)
#: Input pattern of a code of any level (ASCII digits only).
CODE_PATTERN = f"^(?:{_ANY_LEVEL})$"
#: Input pattern of a region scope: a code of any level, or '' (national).
SCOPE_PATTERN = f"^(?:{_ANY_LEVEL})?$"


def is_valid_code(code) -> bool:
    """A string of ASCII digits of one of the level lengths."""
    return isinstance(code, str) and code.isascii() and code.isdigit() and len(code) in LEVEL_BY_LENGTH


def level_of(code) -> str | None:
    """'province' … 'village' from the length of ``code``; None when it is no level's length."""
    return LEVEL_BY_LENGTH.get(len(code or ""))


def parent_of(code) -> str | None:
    """The code of the level above (``511781101`` → ``511781``); None for a province or a bad length."""
    if level_of(code) is None:
        return None
    shorter = [length for length in LENGTHS if length < len(code)]
    return code[:shorter[-1]] if shorter else None


def ancestor_codes(code) -> list[str]:
    """Every ancestor's code, nearest first (``511781`` → [``5117``, ``51``])."""
    codes = []
    while (code := parent_of(code)) is not None:
        codes.append(code)
    return codes


def ancestor_at(code, level) -> str | None:
    """The code of ``code``'s ancestor (or itself) at ``level``; None when ``code`` is above that level."""
    length = LENGTH_BY_LEVEL[level]
    return code[:length] if code and len(code) >= length else None


def county_of(code) -> str | None:
    """The 6-digit county code of a county, township or village code."""
    return ancestor_at(code, "county")


def same_county(a, b) -> bool:
    """Both codes lie in one county (False when either is above county level)."""
    county = county_of(a)
    return county is not None and county == county_of(b)
