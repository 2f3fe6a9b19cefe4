"""Users: the people who own records and work cases; email is unique in a workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from resolvers import records
from resolvers.principal import Principal
from resolvers.validation import Choice, Email, Text

SPEC: records.Spec = {
    "name": Text(200, required=True),
    "email": Email(required=True, lower=True),
    "role": Choice(nullable=False),
}


def _email_is_unique(actor: Principal) -> records.Rule:
    async def rule(session: AsyncSession, user: User | None, values: dict[str, Any]) -> None:
        if "email" in values:
            await records.ensure_unique(
                session,
                User,
                principal=actor,
                column=User.email,
                value=values["email"],
                field="email",
                exclude_id=user.id if user else None,
            )

    return rule


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> User:
    return await records.create_from_input(
        session, User, SPEC, principal=actor, data=data, rules=[_email_is_unique(actor)]
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> User:
    return await records.update_from_input(
        session,
        User,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[_email_is_unique(actor)],
    )
