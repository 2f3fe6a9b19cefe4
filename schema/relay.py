"""Relay building blocks: the Node interface, connections, and connection fields."""

from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from resolvers import global_ids
from resolvers.pagination import Ordering, Page, PageArgs, build_page
from resolvers.records import ArchiveScope as DomainArchiveScope

T = TypeVar("T")

ArchiveScope = strawberry.enum(
    DomainArchiveScope,
    name="ArchiveScope",
    description="Which records a list returns: ACTIVE (the default), ARCHIVED, or ALL.",
)


@strawberry.interface(description="A record with an opaque global id, resolvable with `node(id:)`.")
class Node:
    # Every node's root value is its ORM row, whose class name is the GraphQL type name.
    @strawberry.field(description="Opaque global id; do not parse it, it may change format.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_ids.encode(type(self).__name__, self.id))  # type: ignore[arg-type]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        return [
            Edge(cursor=c, node=row)
            for row, c in zip(self.page.rows, self.page.cursors, strict=True)
        ]

    @strawberry.field(description="The records of this page, without cursors.")
    def nodes(self) -> list[T]:
        return self.page.rows

    @strawberry.field
    def page_info(self) -> PageInfo:
        cursors = self.page.cursors
        return PageInfo(
            has_next_page=self.page.has_next_page,
            has_previous_page=self.page.has_previous_page,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )

    @strawberry.field(description="How many records the list holds, all pages together.")
    async def total_count(self) -> int:
        return await self.page.count()


def page_args(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageArgs:
    return PageArgs(first=first, after=after, last=last, before=before)


def archive_scope(filter: Any) -> DomainArchiveScope:
    return filter.archived if filter is not None else DomainArchiveScope.ACTIVE


def related_connection(
    connection: Any, model: type[Any], parent_column: Any, filter_type: Any, description: str
) -> Any:
    """A connection field listing the rows of `model` whose `parent_column` is this record.

    Rows for every parent in the response load in one batched statement (see
    `resolvers.pagination.paginate_per_parent`); counts likewise, and only when selected.
    """

    async def resolve(
        root: strawberry.Parent[Any],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: filter_type | None = None,  # type: ignore[valid-type]
    ) -> connection:  # type: ignore[valid-type]
        args = page_args(first, after, last, before)
        archived = archive_scope(filter)
        loaders = info.context.loaders
        fetched = await loaders.related_rows(model, parent_column, args, archived).load(root.id)
        count_loader = loaders.related_count(model, parent_column, archived)
        page = build_page(Ordering(model), args, fetched, lambda: count_loader.load(root.id))
        # Any Connection carries the page; the field's declared type gives it its GraphQL name.
        return Connection(page=page)

    return strawberry.field(resolver=resolve, description=description)
