"""Products: what is sold, with a list price."""

from decimal import Decimal

import strawberry

from db.models import Product as ProductModel
from resolvers import products
from schema.fields import ImportFields, OwnedFields
from schema.records import crud_mutations, list_field
from schema.relay import Connection, Node


@strawberry.type(description="Something sold; opportunities sell it through line items.")
class Product(Node, OwnedFields):
    name: str
    sku: str = strawberry.field(description="Stock keeping unit, unique in the workspace.")
    description: str | None
    unit_price: Decimal = strawberry.field(description="List price in `currency`.")
    currency: str = strawberry.field(description="ISO 4217 code.")
    vendor: str | None
    active: bool = strawberry.field(description="Inactive products cannot be added to deals.")


@strawberry.type
class ProductConnection(Connection[Product]):
    pass


@strawberry.input
class ProductCreateInput(ImportFields):
    name: str
    sku: str
    unit_price: Decimal
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; the workspace's default currency when left out."
    )
    description: str | None = None
    vendor: str | None = None
    active: bool = True
    owner_id: strawberry.ID | None = None


@strawberry.type
class ProductQuery:
    products = list_field(ProductConnection, ProductModel, "Products of the workspace.")


ProductMutation = crud_mutations("Product", Product, ProductModel, ProductCreateInput, products)
