"""Relay building blocks: the Node interface, connections, and connection fields."""

from typing import Any, Generic, TypeVar

import strawberry

from resolvers import global_ids
from resolvers.pagination import Page, PageArgs
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
