"""Support cases, raised by a contact of an account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, Case, Contact, User
from resolvers import records
from resolvers.contacts import contact_belongs_to_account
from resolvers.principal import Principal
from resolvers.validation import Choice, Reference, Text

SPEC: records.Spec = {
    "subject": Text(255, required=True),
    "description": Text(100_000),
    "priority": Choice(nullable=False),
    "origin": Choice(),
    "account_id": Reference(Account),
    "contact_id": Reference(Contact),
    "owner_id": Reference(User),
}

RULES = [contact_belongs_to_account("contact_id")]


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Case:
    return await records.create_from_input(
        session, Case, SPEC, principal=actor, data=data, rules=RULES
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Case:
    return await records.update_from_input(
        session,
        Case,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=RULES,
    )
