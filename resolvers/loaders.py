"""Batch functions behind the per-request DataLoaders (built in schema/context.py).

Each runs one statement for a whole batch of keys, whatever the number of rows asking.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from resolvers import records
from resolvers.columns import Columns
from resolvers.pagination import Ordering, PageArgs, paginate_per_parent
from resolvers.principal import Principal
from resolvers.queryable import Queryable, filtered, ordering
from resolvers.records import Record


@dataclass(frozen=True, eq=False)
class RelatedQuery:
    """A related list as asked for: which records, filtered and ordered how.

    Equal queries share one DataLoader in a request, so all parents' pages of the same
    list load in one statement. The columns are part of the query: two selections of
    one list load separately, each with what it needs.
    """

    queryable: Queryable
    parent_column: InstrumentedAttribute[Any]
    criteria: Mapping[str, Any] = field(default_factory=dict)
    order_by: tuple[tuple[str, bool], ...] = ()
    columns: Columns = None

    @property
    def key(self) -> tuple[str, str, str, tuple[tuple[str, bool], ...], Columns]:
        criteria = json.dumps(self.criteria, sort_keys=True, default=str)
        return (self.queryable.name, self.parent_column.key, criteria, self.order_by, self.columns)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RelatedQuery) and self.key == other.key

    def ordering(self) -> Ordering:
        return ordering(self.queryable, self.order_by)

    def statement(self, principal: Principal) -> Select[Any]:
        return filtered(self.queryable, principal, self.criteria)


async def records_by_id(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Record],
    *,
    principal: Principal,
    ids: Sequence[int],
    columns: Columns = None,
) -> list[Record | None]:
    async with sessions() as session:
        return await records.load_by_ids(
            session, model, principal=principal, ids=ids, columns=columns
        )


async def related_rows(
    sessions: async_sessionmaker[AsyncSession],
    query: RelatedQuery,
    *,
    principal: Principal,
    parent_ids: Sequence[int],
    args: PageArgs,
) -> list[list[Any]]:
    """For each parent, the rows of its page (one more than asked, to tell if there is more)."""
    async with sessions() as session:
        grouped: dict[int, list[Any]] = await paginate_per_parent(
            session,
            query.statement(principal),
            query.ordering(),
            query.parent_column,
            parent_ids,
            args,
            query.columns,
        )
    return [grouped[parent_id] for parent_id in parent_ids]


async def related_counts(
    sessions: async_sessionmaker[AsyncSession],
    query: RelatedQuery,
    *,
    principal: Principal,
    parent_ids: Sequence[int],
) -> list[int]:
    column = query.parent_column
    statement = (
        query.statement(principal)
        .where(column.in_(parent_ids))
        .with_only_columns(column, func.count())
        .group_by(column)
    )
    async with sessions() as session:
        counts: dict[int, int] = dict((await session.execute(statement)).all())
    return [counts.get(parent_id, 0) for parent_id in parent_ids]
