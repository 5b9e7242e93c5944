"""Money: integer fen (分) everywhere, and the one range every ``*_fen`` input must fall in.

``MAX_FEN`` = 10**12 fen = ¥10,000,000,000 (ten billion yuan) for any single amount a caller sends
(a price, a payment, a threshold, a target). Why this bound:

* it covers every real amount of the platform (a county's yearly purchase target is in the
  hundreds of millions of yuan at most) with room to spare;
* sums stay exact: columns are BIGINT (max 9.22e18), so 9.2 million amounts at the maximum
  still add up without overflow; and JSON clients that read numbers as IEEE doubles (JavaScript,
  exact to 2**53 ≈ 9.0e15) read any single amount, and sums of up to 9,000 of them, exactly;
* an order's total is held to the same bound (orders placing), so a price at the maximum cannot
  be multiplied past it by a quantity.
"""
from marshmallow import fields, validate

MAX_FEN = 10**12


def fen_field(*, min_fen=0, strict=True, **kwargs):
    """An integer amount in fen within ``[min_fen, MAX_FEN]`` (strict: JSON numbers only, no "12")."""
    return fields.Integer(strict=strict, validate=validate.Range(min=min_fen, max=MAX_FEN), **kwargs)
