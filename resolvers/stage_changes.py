"""Reading the lifecycle history: the `stageChanges` list and each record's own history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import EntityType
from db.models import StageChange
from resolvers import global_ids, lifecycle
from resolvers.errors import BadRequestError
from resolvers.pagination import Page, PageArgs, paginate, paginate_per_parent
from resolvers.principal import Principal

ENTITY_OF_TYPE_NAME = {
    model.__name__: entity for entity, model in lifecycle.MODELS_BY_ENTITY.items()
}
TYPE_NAME_OF_ENTITY = {entity: name for name, entity in ENTITY_OF_TYPE_NAME.items()}
ORDERING = lifecycle.HISTORY_ORDERING


@dataclass(frozen=True)
class HistoryFilter:
    """Which changes to list; every given criterion must hold."""

    entity_types: Sequence[EntityType] = ()
    record_ids: Sequence[str] = ()
    account_id: str | None = None
    to_stages: Sequence[str] = ()
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None
    extra: list[Any] = field(default_factory=list)

    def conditions(self) -> list[Any]:
        conditions = list(self.extra)
        if self.entity_types:
            conditions.append(StageChange.entity_type.in_(self.entity_types))
        if self.record_ids:
            conditions.append(_records_condition(self.record_ids))
        if self.account_id is not None:
            account = global_ids.decode_as(self.account_id, "Account")
            conditions.append(StageChange.account_id == account if account else false())
        if self.to_stages:
            conditions.append(StageChange.to_stage.in_([str(stage) for stage in self.to_stages]))
        if self.occurred_after is not None:
            conditions.append(StageChange.occurred_at >= self.occurred_after)
        if self.occurred_before is not None:
            conditions.append(StageChange.occurred_at < self.occurred_before)
        return conditions


def _records_condition(record_ids: Sequence[str]) -> Any:
    by_entity: dict[EntityType, list[int]] = {}
    for record_id in record_ids:
        decoded = global_ids.decode(record_id)
        if decoded is None or decoded[0] not in ENTITY_OF_TYPE_NAME:
            raise BadRequestError(f"{record_id!r} is not the id of a record with a lifecycle.")
        by_entity.setdefault(ENTITY_OF_TYPE_NAME[decoded[0]], []).append(decoded[1])
    return or_(
        *(
            and_(StageChange.entity_type == entity, StageChange.record_id.in_(ids))
            for entity, ids in by_entity.items()
        )
    )


def scoped(principal: Principal, history: HistoryFilter) -> Select[Any]:
    return select(StageChange).where(
        StageChange.workspace_id == principal.workspace_id, *history.conditions()
    )


async def list_(
    sessions: async_sessionmaker[AsyncSession],
    *,
    principal: Principal,
    args: PageArgs,
    history: HistoryFilter,
) -> Page[StageChange]:
    return await paginate(sessions, scoped(principal, history), ORDERING, args)


async def history_rows(
    sessions: async_sessionmaker[AsyncSession],
    entity_type: EntityType,
    *,
    principal: Principal,
    record_ids: Sequence[int],
    args: PageArgs,
) -> list[list[StageChange]]:
    """For each record, its page of history, in one statement."""
    statement = scoped(principal, HistoryFilter(extra=[StageChange.entity_type == entity_type]))
    async with sessions() as session:
        grouped: dict[int, list[StageChange]] = await paginate_per_parent(
            session, statement, ORDERING, StageChange.record_id, record_ids, args
        )
    return [grouped[record_id] for record_id in record_ids]


async def latest_changes(
    sessions: async_sessionmaker[AsyncSession],
    entity_type: EntityType,
    *,
    principal: Principal,
    record_ids: Sequence[int],
) -> list[StageChange | None]:
    """Each record's latest change: when it entered its current stage."""
    latest_ids = (
        select(func.max(StageChange.id))
        .where(
            StageChange.workspace_id == principal.workspace_id,
            StageChange.entity_type == entity_type,
            StageChange.record_id.in_(record_ids),
        )
        .group_by(StageChange.record_id)
    )
    async with sessions() as session:
        rows = await session.scalars(select(StageChange).where(StageChange.id.in_(latest_ids)))
        latest = {row.record_id: row for row in rows}
    return [latest.get(record_id) for record_id in record_ids]
