"""Contacts: people, usually at an account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, Contact, User
from resolvers import records
from resolvers.errors import ErrorCode, UserInputError
from resolvers.principal import Principal
from resolvers.validation import Email, Phone, Reference, Text

SPEC: records.Spec = {
    "first_name": Text(100),
    "last_name": Text(100, required=True),
    "email": Email(),
    "phone": Phone(),
    "job_title": Text(150),
    "account_id": Reference(Account),
    "owner_id": Reference(User),
}


def contact_belongs_to_account(contact_column: str) -> records.Rule:
    """A rule for records that link both an account and a contact: the two must agree."""

    async def rule(session: AsyncSession, record: Any, values: dict[str, Any]) -> None:
        if contact_column not in values and "account_id" not in values:
            return
        contact_id = records.effective(record, values, contact_column)
        account_id = records.effective(record, values, "account_id")
        if contact_id is None or account_id is None:
            return
        contact_account = await session.scalar(
            select(Contact.account_id).where(Contact.id == contact_id)
        )
        if contact_account is not None and contact_account != account_id:
            raise UserInputError.single(
                ErrorCode.INVALID,
                "This contact belongs to another account.",
                (contact_column,),
            )

    return rule


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Contact:
    return await records.create_from_input(session, Contact, SPEC, principal=actor, data=data)


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Contact:
    return await records.update_from_input(
        session,
        Contact,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
    )
