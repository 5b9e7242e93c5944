"""The buyer's look at the price is part of the order: a line may carry ``expected_unit_price_fen``
and, if the SKU's price is not that any more, the order is refused with 409 ``price_changed``
naming every such line and its current price (nothing is placed)."""
from marketplace.core.errors import Conflict


def check_expected_prices(lines, skus):
    changed = [{"line": i, "sku_id": line["sku_id"], "expected_unit_price_fen": line["expected_unit_price_fen"],
                "unit_price_fen": skus[line["sku_id"]].price_fen}
               for i, line in enumerate(lines)
               if line.get("expected_unit_price_fen") is not None
               and line["expected_unit_price_fen"] != skus[line["sku_id"]].price_fen]
    if changed:
        raise Conflict("price_changed: the price of "
                       + ", ".join(f"lines[{c['line']}] is now {c['unit_price_fen']} fen" for c in changed),
                       code="price_changed", lines=changed)
