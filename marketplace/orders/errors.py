"""Domain errors of orders."""
from marketplace.core.errors import Conflict


class InsufficientStock(Conflict):
    """One or more lines ask for more than is in stock; nothing was taken.

    The body names every short SKU: ``shortages: [{sku_id, requested, available}]``,
    ``errors: {"lines.N.quantity": [...]}``, and ``sku_id``/``available`` of the first.
    """

    def __init__(self, shortages):
        first = shortages[0]
        names = ", ".join(f"SKU {s['sku_id']} (requested {s['requested']}, available {s['available']})"
                          for s in shortages)
        errors = {f"lines.{s['line']}.quantity": [f"only {s['available']} in stock"] for s in shortages}
        super().__init__(f"not enough stock: {names}", errors=errors, sku_id=first["sku_id"],
                         available=first["available"],
                         shortages=[{k: s[k] for k in ("sku_id", "requested", "available")} for s in shortages])
