"""Accounts: organizations, with a parent hierarchy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, User
from resolvers import records
from resolvers.errors import ErrorCode, UserInputError
from resolvers.principal import Principal
from resolvers.validation import Address, Amount, Currency, Integer, Phone, Reference, Text, Url

SPEC: records.Spec = {
    "name": Text(255, required=True),
    "website": Url(),
    "industry": Text(100),
    "employee_count": Integer(),
    "annual_revenue": Amount(),
    "currency": Currency(),
    "phone": Phone(),
    "billing_address": Address("billing"),
    "parent_id": Reference(Account),
    "owner_id": Reference(User),
}

# Deeper hierarchies than this are almost surely a mistake, and bound the cycle check.
MAX_HIERARCHY_DEPTH = 50


async def _parent_is_not_a_descendant(
    session: AsyncSession, account: Account | None, values: dict[str, Any]
) -> None:
    parent_id = values.get("parent_id")
    if account is None or parent_id is None:
        return
    ancestor: int | None = parent_id
    for _ in range(MAX_HIERARCHY_DEPTH):
        if ancestor is None:
            return
        if ancestor == account.id:
            raise UserInputError.single(
                ErrorCode.INVALID,
                "Parent account cannot be the account itself or one of its sub-accounts.",
                ("parent_id",),
            )
        ancestor = await session.scalar(select(Account.parent_id).where(Account.id == ancestor))
    raise UserInputError.single(
        ErrorCode.INVALID,
        f"Account hierarchies are limited to {MAX_HIERARCHY_DEPTH} levels.",
        ("parent_id",),
    )


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Account:
    return await records.create_from_input(
        session,
        Account,
        SPEC,
        principal=actor,
        data=data,
        rules=[records.currency_defaults(actor)],
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Account:
    return await records.update_from_input(
        session,
        Account,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[_parent_is_not_a_descendant],
    )
