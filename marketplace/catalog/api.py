from marketplace.catalog import bp, services
from marketplace.catalog.schemas import (
    CategorySchema,
    ProductCreateSchema,
    ProductDetailSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductSchemeCreateSchema,
    ProductSchemeHistorySchema,
    ProductSchemeSchema,
    ProductUpdateSchema,
    SkuCreateSchema,
    SkuSchema,
    SkuUpdateSchema,
    StockAdjustmentCreateSchema,
    StockAdjustmentSchema,
)
from marketplace.core.auth import STAFF_ROLES, current_user, document_optional_security, optional_user, require_roles
from marketplace.core.caching import public_cache
from marketplace.core.http import page_of, paginate

OWNER = "supplier_manager"


@bp.get("/categories")
@public_cache(bp)
@bp.response(200, CategorySchema(many=True))
def list_categories():
    """The fixed product categories with Chinese and English names."""
    return services.list_categories()


@bp.get("/products")
@public_cache(bp)
@bp.arguments(ProductQuerySchema, location="query")
@bp.response(200, page_of(ProductSchema))
@document_optional_security
def list_products(args):
    """Orderable products (no login), filtered, searched and sorted."""
    return paginate(services.list_products_query(actor=optional_user(), args=args), args)


@bp.post("/products")
@bp.created("get_product", product_id="id")
@require_roles(OWNER)
@bp.arguments(ProductCreateSchema)
@bp.response(201, ProductDetailSchema)
def create_product(data):
    """List a new product (starts as a draft)."""
    product = services.create_product(actor=current_user(), data=data)
    return services.product_detail(current_user(), product.id)


@bp.get("/products/<int:product_id>")
@public_cache(bp)
@bp.response(200, ProductDetailSchema)
@document_optional_security
def get_product(product_id):
    """A product with SKUs, certification summary and origin region path."""
    return services.product_detail(optional_user(), product_id)


@bp.patch("/products/<int:product_id>")
@require_roles(OWNER)
@bp.arguments(ProductUpdateSchema)
@bp.response(200, ProductDetailSchema)
def update_product(data, product_id):
    """Edit an own product's descriptive fields (not status, supplier or stock)."""
    services.update_product(actor=current_user(), product_id=product_id, data=data)
    return services.product_detail(current_user(), product_id)


@bp.delete("/products/<int:product_id>")
@require_roles(OWNER)
@bp.response(204)
def archive_product(product_id):
    """Archive an own product (history is kept)."""
    services.change_product_status(actor=current_user(), product_id=product_id, action="archive")


@bp.post("/products/<int:product_id>/publish")
@require_roles(OWNER)
@bp.response(200, ProductDetailSchema)
def publish_product(product_id):
    """Make a draft product active (orderable once certified)."""
    services.change_product_status(actor=current_user(), product_id=product_id, action="publish")
    return services.product_detail(current_user(), product_id)


@bp.post("/products/<int:product_id>/unpublish")
@require_roles(OWNER)
@bp.response(200, ProductDetailSchema)
def unpublish_product(product_id):
    """Take an active product back to draft."""
    services.change_product_status(actor=current_user(), product_id=product_id, action="unpublish")
    return services.product_detail(current_user(), product_id)


@bp.post("/products/<int:product_id>/skus")
@require_roles(OWNER)
@bp.arguments(SkuCreateSchema)
@bp.response(201, SkuSchema)
def create_sku(data, product_id):
    """Add a SKU to an own product."""
    return services.create_sku(actor=current_user(), product_id=product_id, data=data)


@bp.patch("/skus/<int:sku_id>")
@require_roles(OWNER)
@bp.arguments(SkuUpdateSchema)
@bp.response(200, SkuSchema)
def update_sku(data, sku_id):
    """Edit a SKU's name, unit, price or minimum quantity (stock: use stock adjustments)."""
    return services.update_sku(actor=current_user(), sku_id=sku_id, data=data)


@bp.post("/skus/<int:sku_id>/stock-adjustments")
@require_roles(OWNER)
@bp.arguments(StockAdjustmentCreateSchema)
@bp.response(201, StockAdjustmentSchema)
def adjust_stock(data, sku_id):
    """Add or remove stock with a reason; a result below zero is 409."""
    return services.adjust_stock(actor=current_user(), sku_id=sku_id, **data)


@bp.put("/products/<int:product_id>/attribution-scheme")
@require_roles(OWNER)
@bp.arguments(ProductSchemeCreateSchema)
@bp.response(200, ProductSchemeSchema)
def set_attribution_scheme(data, product_id):
    """Set an own product's attribution shares (appends a new version)."""
    product = services.get_own_product(current_user(), product_id)
    return services.set_scheme(actor=current_user(), product=product, data=data)


@bp.get("/products/<int:product_id>/attribution-scheme")
@require_roles(OWNER, *STAFF_ROLES)
@bp.response(200, ProductSchemeHistorySchema)
def get_attribution_scheme(product_id):
    """The scheme in force for a product and its past versions."""
    product = services.get_scheme_product(current_user(), product_id)
    return services.scheme_history(product)
