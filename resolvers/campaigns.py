"""Marketing campaigns: budget, cost and dates; they source leads and opportunities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, User
from resolvers import records
from resolvers.errors import ErrorCode, UserInputError
from resolvers.principal import Principal
from resolvers.validation import Amount, Choice, Currency, Day, Reference, Text

SPEC: records.Spec = {
    "name": Text(255, required=True),
    "type": Choice(required=True),
    "budget": Amount(),
    "actual_cost": Amount(),
    "currency": Currency(),
    "start_date": Day(),
    "end_date": Day(),
    "owner_id": Reference(User),
}


async def _ends_after_it_starts(
    session: AsyncSession, campaign: Campaign | None, values: dict[str, Any]
) -> None:
    start = records.effective(campaign, values, "start_date")
    end = records.effective(campaign, values, "end_date")
    if start is not None and end is not None and end < start:
        raise UserInputError.single(
            ErrorCode.INVALID, "End date must not be before the start date.", ("end_date",)
        )


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Campaign:
    return await records.create_from_input(
        session,
        Campaign,
        SPEC,
        principal=actor,
        data=data,
        rules=[_ends_after_it_starts, records.currency_defaults(actor)],
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Campaign:
    return await records.update_from_input(
        session,
        Campaign,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[_ends_after_it_starts],
    )
