"""Resident ID numbers (公民身份号码, GB 11643-1999) and the masking of personal data.

Rules:

* An ID number is 18 characters: 17 digits and a check character, ``0``-``9``
  or ``X``. With the weights 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8,
  4, 2 the check character is ``"10X98765432"[weighted sum mod 11]``.
* Characters 7-14 are the birth date ``YYYYMMDD``; it must be a real date
  between 1900-01-01 and today.
* :func:`validate_id_number` is strict (upper-case ``X`` only). Callers pass
  input through :func:`normalize_id_number` first and then validate, encrypt
  and hash the *normalised* form, so that a lower-case ``x`` cannot create a
  second household with the same number.
* Masks show as little as can still be told apart: an ID number keeps its
  first 4 and last 4 characters (``5134**********1234``); a name keeps its
  first and last characters (``张*三``; two characters ``张*``; one ``*``).
  Neither the number nor the name is ever logged; masking never raises.
"""

import datetime as dt

ID_NUMBER_LENGTH = 18
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

_ASCII_DIGITS = frozenset("0123456789")
_MASK = "*"


def normalize_id_number(value: str) -> str:
    """Strip surrounding whitespace and upper-case (``x`` becomes ``X``)."""
    return value.strip().upper()


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits.

    Raises ``ValueError`` if ``first17`` is not exactly 17 ASCII digits.
    """
    if not _is_ascii_digits(first17, ID_NUMBER_LENGTH - 1):
        raise ValueError("an ID number body is 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def birth_date(id_number: str) -> dt.date | None:
    """The birth date encoded in characters 7-14, or None if it is no date."""
    digits = id_number[6:14]
    if not _is_ascii_digits(digits, 8):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: dt.date | None = None) -> bool:
    """True if ``value`` is a normalised 18-character ID number that checks out.

    Checks the length, 17 digits plus ``0``-``9``/``X``, the check character
    and a birth date between 1900-01-01 and ``today`` (default: today's date).
    """
    if not isinstance(value, str) or len(value) != ID_NUMBER_LENGTH:
        return False
    body, check = value[:17], value[17]
    if not _is_ascii_digits(body, 17) or check not in ID_CHECK_CHARS:
        return False
    born = birth_date(value)
    latest = today or dt.date.today()
    if born is None or not EARLIEST_BIRTH_DATE <= born <= latest:
        return False
    return id_check_char(body) == check


def mask_id_number(value: str) -> str:
    """Show the first 4 and last 4 characters of an ID number, star the 10 between.

    Anything that is not 18 characters long is starred completely.
    """
    if len(value) != ID_NUMBER_LENGTH:
        return _MASK * len(value)
    return value[:4] + _MASK * 10 + value[-4:]


def mask_name(name: str) -> str:
    """Mask a personal name: ``张*``, ``张*三``, ``欧**明``; one character is ``*``."""
    name = name.strip()
    if len(name) <= 1:
        return _MASK * len(name)
    if len(name) == 2:
        return name[0] + _MASK
    return name[0] + _MASK * (len(name) - 2) + name[-1]


def _is_ascii_digits(value: str, length: int) -> bool:
    # str.isdigit() accepts full-width and other Unicode digits; we must not.
    return isinstance(value, str) and len(value) == length and all(c in _ASCII_DIGITS for c in value)
