"""Batch functions behind the per-request DataLoaders (built in schema/context.py).

Each runs one statement for a whole batch of keys, whatever the number of rows asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from resolvers import records
from resolvers.pagination import Ordering, PageArgs, paginate_per_parent
from resolvers.principal import Principal
from resolvers.records import ArchiveScope, Record


async def records_by_id(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Record],
    *,
    principal: Principal,
    ids: Sequence[int],
) -> list[Record | None]:
    async with sessions() as session:
        return await records.load_by_ids(session, model, principal=principal, ids=ids)


async def related_rows(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Record],
    parent_column: InstrumentedAttribute[Any],
    *,
    principal: Principal,
    parent_ids: Sequence[int],
    args: PageArgs,
    archived: ArchiveScope,
) -> list[list[Record]]:
    """For each parent, the rows of its page (one more than asked, to tell if there is more)."""
    async with sessions() as session:
        grouped: dict[int, list[Record]] = await paginate_per_parent(
            session,
            records.scoped(model, principal, archived),
            Ordering(model),
            parent_column,
            parent_ids,
            args,
        )
    return [grouped[parent_id] for parent_id in parent_ids]


async def related_counts(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Record],
    parent_column: InstrumentedAttribute[Any],
    *,
    principal: Principal,
    parent_ids: Sequence[int],
    archived: ArchiveScope,
) -> list[int]:
    async with sessions() as session:
        return await records.count_per_parent(
            session,
            model,
            parent_column,
            principal=principal,
            parent_ids=parent_ids,
            archived=archived,
        )
