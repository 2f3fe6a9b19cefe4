"""`search`: one box for accounts, contacts, leads and opportunities."""

from enum import Enum

import strawberry
from strawberry.types import Info

from db.enums import EntityType
from resolvers import search
from schema.relay import Node


@strawberry.enum(description="Record types that search covers.")
class SearchType(Enum):
    ACCOUNT = "ACCOUNT"
    CONTACT = "CONTACT"
    LEAD = "LEAD"
    OPPORTUNITY = "OPPORTUNITY"


@strawberry.type(description="A record that matched, with its relevance (higher is better).")
class SearchHit:
    type: SearchType
    node: Node
    score: float


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Accounts, contacts, leads and opportunities whose name, email, company "
        "or phone contain words starting with each word of `query`, best first. "
        f"At most {search.MAX_RESULTS} results."
    )
    async def search(
        self,
        info: Info,
        query: str,
        types: list[SearchType] | None = None,
        first: int = 10,
    ) -> list[SearchHit]:
        async with info.context.reads() as session:
            hits = await search.search(
                session,
                principal=info.context.principal,
                query=query,
                types=[EntityType(kind.value) for kind in types or []],
                first=first,
            )
        return [
            SearchHit(type=SearchType(hit.entity_type.value), node=hit.record, score=hit.score)
            for hit in hits
        ]
