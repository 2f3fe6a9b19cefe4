"""Small value types shared by several records."""

import strawberry


@strawberry.type(description="A postal address.")
class Address:
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")


@strawberry.input(description="A postal address; it replaces the whole stored address.")
class AddressInput:
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code.")
