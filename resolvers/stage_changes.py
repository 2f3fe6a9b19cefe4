"""Reading the lifecycle history: the `stageChanges` list and each record's own history."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import EntityType, StageChangeCause
from db.models import StageChange
from resolvers import events, global_ids, lifecycle
from resolvers.errors import BadRequestError
from resolvers.pagination import Ordering, Page, PageArgs, SortKey, paginate, paginate_per_parent
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
    by_occurrence: bool = False,
    descending: bool = False,
) -> Page[StageChange]:
    """Changes in recorded order (the default), or by when they occurred (imports can
    record past changes late)."""
    keys = [SortKey(StageChange.occurred_at, descending)] if by_occurrence else []
    ordering = Ordering(StageChange, keys, id_descending=descending)
    return await paginate(sessions, scoped(principal, history), ordering, args)


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


def _event_matcher(
    principal: Principal, history: HistoryFilter
) -> Callable[[events.StageChanged], bool]:
    """The same criteria as `HistoryFilter.conditions`, on an event instead of a row; worked
    out once per subscriber, as it is asked of every change published in the process."""
    record_ids = {global_ids.decode(record_id) for record_id in history.record_ids}
    account = global_ids.decode_as(history.account_id, "Account") if history.account_id else None
    entity_types = {EntityType(entity_type).value for entity_type in history.entity_types}
    to_stages = {str(stage) for stage in history.to_stages}

    def matches(event: events.StageChanged) -> bool:
        if event.workspace_id != principal.workspace_id:
            return False
        if entity_types and event.entity_type not in entity_types:
            return False
        if record_ids:
            record = (TYPE_NAME_OF_ENTITY[EntityType(event.entity_type)], event.record_id)
            if record not in record_ids:
                return False
        return (
            (history.account_id is None or event.account_id == account)
            and (not to_stages or event.to_stage in to_stages)
            and (history.occurred_after is None or event.occurred_at >= history.occurred_after)
            and (history.occurred_before is None or event.occurred_at < history.occurred_before)
        )

    return matches


@lru_cache(maxsize=1024)
def _row_of(event: events.StageChanged) -> StageChange:
    """The history row an event announces, rebuilt without reading the database; once per
    event, however many subscribers receive it (they only read it)."""
    return StageChange(
        id=event.stage_change_id,
        workspace_id=event.workspace_id,
        entity_type=EntityType(event.entity_type),
        record_id=event.record_id,
        account_id=event.account_id,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        occurred_at=event.occurred_at,
        recorded_at=event.occurred_at,
        actor_api_key_id=event.actor_api_key_id,
        reason=event.reason,
        cause=StageChangeCause(event.cause),
    )


REPLAY_PAGE = 100


async def follow(
    sessions: async_sessionmaker[AsyncSession],
    bus: events.InProcessBus,
    *,
    principal: Principal,
    history: HistoryFilter,
    after: str | None,
) -> AsyncIterator[StageChange]:
    """Every change after the cursor `after` from the history, then live ones, once each.

    The live subscription starts before the replay, so nothing committed meanwhile is
    lost; the seam is stitched by id (ids are given out in commit order, see
    `resolvers.uow.unit_of_work`), so nothing is delivered twice.
    """
    if after is not None:
        ORDERING.decode_cursor(after)  # a bad cursor is refused before anything starts
    subscription = bus.subscribe(_event_matcher(principal, history))
    last_id = 0
    try:
        while after is not None:
            page = await list_(
                sessions,
                principal=principal,
                args=PageArgs(first=REPLAY_PAGE, after=after),
                history=history,
            )
            for row in page.rows:
                last_id = row.id
                yield row
            if not page.has_next_page:
                break
            after = page.cursors[-1]
        async for event in subscription.events():
            if event.stage_change_id > last_id:
                last_id = event.stage_change_id
                yield _row_of(event)
    finally:
        bus.unsubscribe(subscription)
