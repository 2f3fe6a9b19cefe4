"""Leads: prospects before they are qualified into an account and a contact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, Contact, Lead, User
from resolvers import records
from resolvers.principal import Principal
from resolvers.validation import Email, Phone, Reference, Text

SPEC: records.Spec = {
    "first_name": Text(100),
    "last_name": Text(100, required=True),
    "company": Text(255),
    "title": Text(150),
    "email": Email(),
    "phone": Phone(),
    "campaign_id": Reference(Campaign),
    "referred_by_id": Reference(Contact),
    "owner_id": Reference(User),
}


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Lead:
    return await records.create_from_input(session, Lead, SPEC, principal=actor, data=data)


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Lead:
    return await records.update_from_input(
        session,
        Lead,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
    )
