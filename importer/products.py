from .errors import OrderImportError


class ProductResolver:
    """Find the products of order lines by SKU (``default_code``), then EAN (``barcode``), with
    one search per page for all the lines of the page."""

    def __init__(self, account):
        self.account = account
        self._by_sku = {}
        self._by_ean = {}

    def prefetch(self, lines):
        """Look up every SKU and EAN of ``lines`` not looked up yet, in two searches at most."""
        lines = list(lines)
        self._lookup("default_code", {line.sku for line in lines if line.sku}, self._by_sku)
        self._lookup("barcode", {line.ean for line in lines if line.ean}, self._by_ean)

    def _lookup(self, field_name, codes, found):
        codes -= set(found)
        if not codes:
            return
        products = (
            self.account.env["product.product"]
            .with_context(active_test=True)
            .search(
                [
                    (field_name, "in", sorted(codes)),
                    ("company_id", "in", (False, self.account.company_id.id)),
                ],
                order="id",
            )
        )
        for product in products:
            found.setdefault(product[field_name], product)
        for code in codes:
            found.setdefault(code, None)

    def resolve(self, line):
        """Return ``(product, description)`` for a shop line, or raise ``OrderImportError``."""
        self.prefetch([line])
        product = (line.sku and self._by_sku[line.sku]) or (line.ean and self._by_ean[line.ean])
        label = f"[{line.sku}] {line.name}" if line.sku and line.sku not in line.name else line.name
        if product:
            return product, label
        if self.account.unknown_product_policy == "fallback" and self.account.fallback_product_id:
            return self.account.fallback_product_id, label
        raise OrderImportError(
            self.account.env._(
                "Unknown product: SKU %(sku)s, EAN %(ean)s (%(name)s). Create a product with this "
                "internal reference or barcode, or choose a fallback product on the account.",
                sku=line.sku or "-",
                ean=line.ean or "-",
                name=line.name,
            )
        )
