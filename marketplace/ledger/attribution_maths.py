"""Pure allocation maths for the ledger: integer fen in, integer fen out.

Rules (DESIGN.md "The ledger and attribution", CONVENTIONS.md section 5):

* Money is integer fen. Nothing here touches ``float`` or ``Decimal``; every
  quota is handled as an exact fraction ``total * w / W`` through its integer
  floor (``total * w // W``) and remainder (``total * w % W``).
* Splitting uses the largest remainder method: every part starts at the floor
  of its exact quota, and the fen left over (fewer than the number of parts)
  go one each to the parts with the largest remainders. Because all quotas
  share the denominator ``W``, remainders compare directly as integers.
* Ties in remainder go to the lowest tie key first (the ledger passes account
  ids, so "lowest account id first"); equal tie keys fall back to position.
* Consequences, pinned by tests: the parts sum to the total exactly, each part
  is the floor or the ceiling of its exact quota, a zero weight gets 0, and
  the result depends only on the arguments.
"""

from collections.abc import Hashable, Mapping, Sequence

#: The scheme shares of one product line, in basis points, must sum to this.
BASIS_POINTS_TOTAL = 10000


def _require_int(name: str, value: object) -> int:
    # bool is an int subclass; True fen is a bug, not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def largest_remainder(total_fen: int, weights: Sequence[int], tie_keys: Sequence[Hashable]) -> list[int]:
    """Split ``total_fen`` pro rata to ``weights`` by the largest remainder method.

    ``weights`` are non-negative integers with a positive sum (supply
    quantities, share counts, basis points...). ``tie_keys`` has one sortable
    key per weight; among equal remainders the lowest key gets the extra fen.

    Returns one part per weight, in the input order. Raises ``ValueError`` for a
    negative total or weight, a zero weight sum, or a length mismatch, and
    ``TypeError`` for a non-integer amount or weight.
    """
    _require_int("total_fen", total_fen)
    if total_fen < 0:
        raise ValueError("total_fen must not be negative")
    if len(weights) != len(tie_keys):
        raise ValueError("weights and tie_keys must have the same length")
    for weight in weights:
        if _require_int("weight", weight) < 0:
            raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must have a positive sum")

    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        floor, remainder = divmod(total_fen * weight, weight_sum)
        parts.append(floor)
        remainders.append(remainder)

    # sum(remainders) == leftover * weight_sum and each remainder < weight_sum,
    # so more than `leftover` parts have a positive remainder: the extra fen
    # never go to a zero remainder (in particular never to a zero weight).
    leftover = total_fen - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], tie_keys[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def split_by_scheme(amount_fen: int, shares_bp: Mapping[str, int]) -> dict[str, int]:
    """Split one line amount across the buckets of an attribution scheme.

    ``shares_bp`` maps bucket names (``households_by_supply``,
    ``households_by_shares``, ``collective``, ``supplier``) to basis points
    that must sum to 10000. Ties go to the bucket listed first (the mapping's
    order is the fixed bucket order). Returns the fen per bucket in the same
    order; the values sum to ``amount_fen`` exactly. Raises ``ValueError`` if
    the shares do not sum to 10000 or an argument is negative.
    """
    names = list(shares_bp)
    weights = [shares_bp[name] for name in names]
    if sum(weights) != BASIS_POINTS_TOTAL:
        raise ValueError(f"scheme shares must sum to {BASIS_POINTS_TOTAL} bp")
    parts = largest_remainder(amount_fen, weights, list(range(len(names))))
    return dict(zip(names, parts, strict=True))


def refund_parts(refund_fen: int, remaining: Sequence[int], tie_keys: Sequence[Hashable]) -> list[int]:
    """Allocate a refund across recipients in proportion to what they still hold.

    ``remaining[i]`` is recipient i's credited amount not yet reversed by
    earlier refunds of the same line. The refund is split by
    :func:`largest_remainder` weighted by ``remaining`` (ties: lowest key).

    Guarantees:

    * the parts sum to ``refund_fen`` exactly;
    * ``0 <= part[i] <= remaining[i]``, so no recipient ever goes negative.
      Proof: part[i] is at most the ceiling of the quota
      ``refund * r_i / R``; since ``refund <= R`` that quota is at most the
      integer ``r_i``, and the ceiling of a number at most an integer is at
      most that integer. So no cap or redistribution step is ever needed (the
      check below only guards the proof);
    * refunding everything that is left (``refund_fen == sum(remaining)``)
      returns ``remaining`` itself, since every quota is then exact.

    Raises ``ValueError`` if the refund is negative, exceeds
    ``sum(remaining)``, any remaining amount is negative, or lengths differ.
    """
    _require_int("refund_fen", refund_fen)
    if refund_fen < 0:
        raise ValueError("refund_fen must not be negative")
    if len(remaining) != len(tie_keys):
        raise ValueError("remaining and tie_keys must have the same length")
    for amount in remaining:
        if _require_int("remaining", amount) < 0:
            raise ValueError("remaining amounts must not be negative")
    available = sum(remaining)
    if refund_fen > available:
        raise ValueError("refund exceeds the amount still credited")
    if available == 0:
        return [0] * len(remaining)

    parts = largest_remainder(refund_fen, remaining, tie_keys)
    if any(part > held for part, held in zip(parts, remaining, strict=True)):
        raise AssertionError("refund part above the recipient's remaining amount")
    return parts
