"""The per-request context: who is calling, where sessions come from, and the DataLoaders."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from db.enums import EntityType
from resolvers import loaders, metrics, stage_changes
from resolvers.columns import Columns
from resolvers.events import InProcessBus
from resolvers.loaders import RelatedQuery
from resolvers.pagination import PageArgs
from resolvers.principal import Principal


@dataclass
class Loaders:
    """DataLoaders built for one request only, so no cache outlives it or crosses workspaces.

    `sessions` reads (a read session factory: each batch opens its own session, so fields
    resolved concurrently never share one)."""

    sessions: async_sessionmaker[AsyncSession]
    principal: Principal
    _cache: dict[Hashable, DataLoader[Any, Any]] = field(default_factory=dict)

    def _get(self, key: Hashable, load_fn: Any) -> DataLoader[Any, Any]:
        loader = self._cache.get(key)
        if loader is None:
            loader = self._cache[key] = DataLoader(load_fn=load_fn)
        return loader

    def by_id(self, model: type[Any], columns: Columns = None) -> DataLoader[int, Any]:
        """Records of `model` by id, with `columns` loaded: one loader per column set, so
        that two selections of one type in a request never see each other's rows."""
        return self._get(("id", model, columns), partial(self._by_id, model, columns))

    async def _by_id(self, model: type[Any], columns: Columns, ids: list[int]) -> list[Any]:
        return await loaders.records_by_id(
            self.sessions, model, principal=self.principal, ids=ids, columns=columns
        )

    def related_rows(self, query: RelatedQuery, args: PageArgs) -> DataLoader[int, list[Any]]:
        async def load(parent_ids: list[int]) -> list[list[Any]]:
            return await loaders.related_rows(
                self.sessions, query, principal=self.principal, parent_ids=parent_ids, args=args
            )

        return self._get(("related", query, args), load)

    def related_count(self, query: RelatedQuery) -> DataLoader[int, int]:
        async def load(parent_ids: list[int]) -> list[int]:
            return await loaders.related_counts(
                self.sessions, query, principal=self.principal, parent_ids=parent_ids
            )

        return self._get(("count", query), load)

    def stage_history(self, entity_type: EntityType, args: PageArgs) -> DataLoader[int, list[Any]]:
        async def load(record_ids: list[int]) -> list[list[Any]]:
            return await stage_changes.history_rows(
                self.sessions,
                entity_type,
                principal=self.principal,
                record_ids=record_ids,
                args=args,
            )

        return self._get(("history", entity_type, args), load)

    def latest_change(self, entity_type: EntityType) -> DataLoader[int, Any]:
        async def load(record_ids: list[int]) -> list[Any]:
            return await stage_changes.latest_changes(
                self.sessions, entity_type, principal=self.principal, record_ids=record_ids
            )

        return self._get(("latest", entity_type), load)

    def lifetime_value(self) -> DataLoader[int, Any]:
        async def load(account_ids: list[int]) -> list[Any]:
            return await metrics.account_lifetime_values(
                self.sessions, principal=self.principal, account_ids=account_ids
            )

        return self._get("lifetime_value", load)


@dataclass
class Context:
    principal: Principal
    # Units of work (mutations) open their transaction here; plain reads use `reads`
    # (autocommit, see db.session.ReadSession), as do the DataLoaders.
    sessions: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]
    request_id: str
    loaders: Loaders
    bus: InProcessBus | None = None
    # The columns each field's selection needs, worked out once per request (selection.py).
    selections: dict[Hashable, tuple[Any, Columns]] = field(default_factory=dict)
