"""Products: what is sold, with a list price; the SKU is unique in a workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Product, User
from resolvers import records
from resolvers.principal import Principal
from resolvers.validation import Amount, Choice, Currency, Reference, Text

SPEC: records.Spec = {
    "name": Text(255, required=True),
    "sku": Text(64, required=True),
    "description": Text(10_000),
    "unit_price": Amount(required=True),
    "currency": Currency(),
    "vendor": Text(255),
    "active": Choice(nullable=False),
    "owner_id": Reference(User),
}


def _sku_is_unique(actor: Principal) -> records.Rule:
    async def rule(session: AsyncSession, product: Product | None, values: dict[str, Any]) -> None:
        if "sku" in values:
            await records.ensure_unique(
                session,
                Product,
                principal=actor,
                column=Product.sku,
                value=values["sku"],
                field="sku",
                exclude_id=product.id if product else None,
            )

    return rule


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Product:
    return await records.create_from_input(
        session,
        Product,
        SPEC,
        principal=actor,
        data=data,
        rules=[_sku_is_unique(actor), records.currency_defaults(actor)],
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Product:
    return await records.update_from_input(
        session,
        Product,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[_sku_is_unique(actor)],
    )
