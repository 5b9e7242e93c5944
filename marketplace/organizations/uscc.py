"""Unified social credit code (统一社会信用代码) check, GB 32100-2015.

Rules:

* A code is exactly 18 characters from the 31-character set
  ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z, no lower case).
* Each of the first 17 characters is worth its index in that set. With the
  weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
  (3**i mod 31), the check value is ``31 - (weighted sum mod 31)``, and a
  check value of 31 becomes 0. The 18th character is the set's character at
  that index.
* The check is strict: callers normalise input (strip, upper-case) before
  validating and store the normalised form, so that uniqueness holds.
"""

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18

_VALUES = {char: index for index, char in enumerate(USCC_CHARSET)}


def uscc_check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of a USCC.

    Raises ``ValueError`` if ``first17`` is not 17 characters from the set.
    """
    if not isinstance(first17, str) or len(first17) != USCC_LENGTH - 1:
        raise ValueError("a USCC body is 17 characters")
    try:
        total = sum(_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError:
        raise ValueError("a USCC uses only 0-9 and A-Y without I, O, S, V, Z") from None
    check = 31 - total % 31
    return USCC_CHARSET[0 if check == 31 else check]


def validate_uscc(code: str) -> bool:
    """True if ``code`` is a well-formed USCC whose check character matches."""
    if not isinstance(code, str) or len(code) != USCC_LENGTH:
        return False
    if any(c not in _VALUES for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def normalize_uscc(code: str) -> str:
    """Strip surrounding whitespace and upper-case, as entered codes vary."""
    return code.strip().upper()


# --- the parts of a code (GB 32100 §4): authority + kind (2), registering county (6), organization code (9) ---

#: Registration-authority and kind prefixes an organization kind may carry: 9 市场监管 (1 enterprise,
#: 3 farmers' cooperative), 1 机构编制 (1 government body, 2 public institution such as a canteen, school or
#: hospital), 8 工会 (1 trade union), N 农业农村 (2 village, 3 township, 1 group-level collective).
KIND_PREFIXES = {
    "cooperative": ("93",), "enterprise": ("91",), "state_enterprise": ("91",),
    "collective": ("N2", "N3", "N1"), "canteen": ("12",), "school": ("12",), "hospital": ("12",),
    "agency": ("11",), "union": ("81",),
}
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(first8: str) -> str:
    """The check character of a 9-character organization code (GB 11714), e.g. ``D2143569`` → ``X``."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def prefix_matches_kind(code: str, kind: str) -> bool:
    """True when the code's registration-authority and kind prefix is one the organization kind carries."""
    return code[:2] in KIND_PREFIXES.get(kind, ())
