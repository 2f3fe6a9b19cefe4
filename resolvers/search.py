"""Search across accounts, contacts, leads and opportunities: name, email, company, phone.

PostgreSQL ranks with full-text search over a GIN-indexed tsvector per table; SQLite
with its FTS5 index (see the "full-text search" migration). Every word of the query
must match the start of a word in the record, so "acm" finds "Acme Corp".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType
from db.models import Account, Contact, Lead, Opportunity
from resolvers.errors import BadRequestError
from resolvers.principal import Principal

MAX_RESULTS = 50
_WORD = re.compile(r"[^\W_]+(?:[@.+\-'][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Searchable:
    model: type[Any]
    code: int  # SQLite's FTS rowid is record id * 8 + code
    columns: tuple[str, ...]

    def document(self) -> Any:
        """The same expression as the GIN index of the migration, so that it is used."""
        return literal_column(
            "to_tsvector('simple', "
            + " || ' ' || ".join(
                f"coalesce({self.model.__tablename__}.{c}, '')" for c in self.columns
            )
            + ")"
        )


SEARCHABLE: dict[EntityType, Searchable] = {
    EntityType.ACCOUNT: Searchable(Account, 1, ("name", "website", "phone")),
    EntityType.CONTACT: Searchable(Contact, 2, ("first_name", "last_name", "email", "phone")),
    EntityType.LEAD: Searchable(Lead, 3, ("first_name", "last_name", "company", "email", "phone")),
    EntityType.OPPORTUNITY: Searchable(Opportunity, 4, ("name",)),
}


@dataclass(frozen=True, slots=True)
class Hit:
    entity_type: EntityType
    record: Any
    score: float


def words(query: str) -> list[str]:
    found = _WORD.findall(query.lower())
    if not found:
        raise BadRequestError("Search for at least one word or number.")
    return found[:10]


async def search(
    session: AsyncSession,
    *,
    principal: Principal,
    query: str,
    types: Sequence[EntityType],
    first: int,
) -> list[Hit]:
    if not 1 <= first <= MAX_RESULTS:
        raise BadRequestError(f"`first` must be between 1 and {MAX_RESULTS}; got {first}.")
    terms = words(query)
    wanted = [t for t in (types or SEARCHABLE) if t in SEARCHABLE]
    if session.get_bind().dialect.name == "postgresql":
        hits = await _postgres(session, principal, terms, wanted, first)
    else:
        hits = await _sqlite(session, principal, terms, wanted, first)
    return sorted(hits, key=lambda hit: -hit.score)[:first]


async def _postgres(
    session: AsyncSession,
    principal: Principal,
    terms: list[str],
    types: list[EntityType],
    first: int,
) -> list[Hit]:
    # Each word as a quoted prefix: 'acm':* & 'corp':*
    tsquery = " & ".join("'" + term.replace("'", "''") + "':*" for term in terms)
    hits: list[Hit] = []
    for entity_type in types:
        searchable = SEARCHABLE[entity_type]
        model = searchable.model
        document = searchable.document()
        matched = func.to_tsquery(literal_column("'simple'"), tsquery)
        rank = func.ts_rank(document, matched).label("rank")
        statement = (
            select(model, rank)
            .where(
                model.workspace_id == principal.workspace_id,
                model.archived_at.is_(None),
                document.op("@@")(matched),
            )
            .order_by(rank.desc(), model.id)
            .limit(first)
        )
        for record, score in (await session.execute(statement)).all():
            hits.append(Hit(entity_type, record, float(score)))
    return hits


async def _sqlite(
    session: AsyncSession,
    principal: Principal,
    terms: list[str],
    types: list[EntityType],
    first: int,
) -> list[Hit]:
    match = " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
    rows = (
        await session.execute(
            text(
                "SELECT rowid, entity_type, bm25(search_index) AS rank FROM search_index "
                "WHERE search_index MATCH :match AND workspace_id = :workspace "
                "AND archived = 0 AND entity_type IN :types ORDER BY rank LIMIT :first"
            ).bindparams(bindparam("types", expanding=True)),
            {
                "match": match,
                "workspace": principal.workspace_id,
                "types": [t.value for t in types],
                "first": first,
            },
        )
    ).all()
    wanted_ids: dict[EntityType, list[int]] = {}
    for rowid, entity, _ in rows:
        wanted_ids.setdefault(EntityType(entity), []).append(rowid // 8)
    found: dict[tuple[EntityType, int], Any] = {}
    for entity_type, ids in wanted_ids.items():  # one statement per type, not per hit
        model = SEARCHABLE[entity_type].model
        for record in await session.scalars(select(model).where(model.id.in_(ids))):
            found[entity_type, record.id] = record
    return [
        Hit(EntityType(entity), found[EntityType(entity), rowid // 8], -float(rank))
        for rowid, entity, rank in rows
        if (EntityType(entity), rowid // 8) in found
    ]
